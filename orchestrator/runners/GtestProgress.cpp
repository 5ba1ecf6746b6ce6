#include "runners/GtestProgress.hpp"

#include <optional>

namespace orchestrate {

namespace {

constexpr std::string_view k_run_tag = "[ RUN      ] ";
// A test's output is kept up to about this much, its tail: the shard log has all of it.
constexpr std::size_t k_max_output = 64 * 1024;

struct EndTag
{
  std::string_view tag;
  Outcome outcome;
};
constexpr EndTag k_end_tags[] = {
  {"[       OK ] ", Outcome::k_passed},
  {"[  FAILED  ] ", Outcome::k_failed},
  {"[  SKIPPED ] ", Outcome::k_skipped},
};

// --gtest_color=yes wraps the tags in ANSI colour sequences: ESC '[' ... 'm'.
std::string without_colour(const std::string& line)
{
  std::string plain;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
      const auto end = line.find('m', i);
      if (end != std::string::npos) {
        i = end;
        continue;
      }
    }
    plain += line[i];
  }
  return plain;
}

// "A.b (3 ms)" or "A.b, where GetParam() = 4 (3 ms)" -> 3.
std::optional<Milliseconds> printed_duration(const std::string& rest)
{
  const auto open = rest.rfind(" (");
  if (open == std::string::npos || rest.size() < open + 6 ||
      rest.compare(rest.size() - 4, 4, " ms)") != 0) {
    return std::nullopt;
  }
  try {
    return Milliseconds(std::stoll(rest.substr(open + 2)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

GtestProgress::GtestProgress(Clock::time_point started) : m_last_change(started)
{
}

void GtestProgress::feed(std::string_view text, Clock::time_point now)
{
  m_partial.append(text);
  std::size_t begin = 0;
  for (auto end = m_partial.find('\n'); end != std::string::npos;
       end = m_partial.find('\n', begin)) {
    read_line(m_partial.substr(begin, end - begin), now);
    begin = end + 1;
  }
  m_partial.erase(0, begin);
}

void GtestProgress::read_line(const std::string& line, Clock::time_point now)
{
  const std::string plain = without_colour(line);
  if (plain.rfind(k_run_tag, 0) == 0) {
    m_running = plain.substr(k_run_tag.size());
    m_running_since = now;
    m_running_output.clear();
    m_last_change = now;
    return;
  }
  if (m_running.empty()) {
    return;
  }
  for (const auto& end : k_end_tags) {
    if (plain.rfind(end.tag, 0) != 0) {
      continue;
    }
    const std::string rest = plain.substr(end.tag.size());
    // Only the running test's own end line: the closing list of failures repeats the tags.
    if (rest.compare(0, m_running.size(), m_running) != 0 ||
        (rest.size() > m_running.size() && rest[m_running.size()] != ' ' &&
         rest[m_running.size()] != ',')) {
      continue;
    }
    TestResult result = gtest_result_named(m_running);
    result.outcome = end.outcome;
    result.duration = printed_duration(rest).value_or(
      std::chrono::duration_cast<Milliseconds>(now - m_running_since));
    if (end.outcome == Outcome::k_failed) {
      result.details = m_running_output;
      const auto first_line = m_running_output.find_first_not_of('\n');
      if (first_line != std::string::npos) {
        result.message = m_running_output.substr(
          first_line, m_running_output.find('\n', first_line) - first_line);
      }
    }
    m_finished.push_back(std::move(result));
    m_running.clear();
    m_running_output.clear();
    m_last_change = now;
    return;
  }
  m_running_output += line + "\n";
  if (m_running_output.size() > 2 * k_max_output) {
    m_running_output.erase(0, m_running_output.size() - k_max_output);
  }
}

const std::string* GtestProgress::running() const
{
  return m_running.empty() ? nullptr : &m_running;
}

GtestProgress::Clock::time_point GtestProgress::running_since() const
{
  return m_running_since;
}

const std::string& GtestProgress::running_output() const
{
  return m_running_output;
}

GtestProgress::Clock::time_point GtestProgress::last_change() const
{
  return m_last_change;
}

const std::vector<TestResult>& GtestProgress::finished() const
{
  return m_finished;
}

TestResult gtest_result_named(const std::string& id)
{
  TestResult result;
  result.id = id;
  const auto dot = id.find('.');
  result.classname = id.substr(0, dot);
  result.name = dot == std::string::npos ? id : id.substr(dot + 1);
  return result;
}

}  // namespace orchestrate
