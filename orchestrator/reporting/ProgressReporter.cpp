#include "reporting/ProgressReporter.hpp"

#include "reporting/Summary.hpp"

#include <cstdlib>
#include <unistd.h>

namespace orchestrate {

namespace {

constexpr const char* k_green = "\033[32m";
constexpr const char* k_red = "\033[31m";
constexpr const char* k_yellow = "\033[33m";

const char* outcome_color(Outcome outcome)
{
  switch (outcome) {
  case Outcome::k_passed:
  case Outcome::k_xfailed:
    return k_green;
  case Outcome::k_failed:
  case Outcome::k_error:
    return k_red;
  case Outcome::k_skipped:
  case Outcome::k_xpassed:
    return k_yellow;
  }
  return k_yellow;
}

std::string outcome_label(const TestResult& result)
{
  if (result.flaky) {
    return "FLAKY";
  }
  std::string label(outcome_name(result.outcome));
  for (auto& c : label) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return label;
}

}  // namespace

bool use_color(std::FILE* out)
{
  const char* no_color = std::getenv("NO_COLOR");
  return ::isatty(::fileno(out)) != 0 && (no_color == nullptr || *no_color == '\0');
}

ProgressReporter::ProgressReporter(std::FILE* out, Verbosity verbosity, bool color)
  : m_out(out),
    m_verbosity(verbosity),
    m_color(color)
{
}

std::string ProgressReporter::colored(const std::string& text, const char* color_code) const
{
  return m_color ? std::string(color_code) + text + "\033[0m" : text;
}

void ProgressReporter::start(const std::string& suite, int collected, int deselected, int shards,
                             const std::string& run_dir)
{
  std::lock_guard lock(m_mutex);
  m_total = collected - deselected;
  if (m_verbosity == Verbosity::k_quiet) {
    return;
  }
  std::string header = " test session starts (orchestrate) ";
  std::string line(80, '=');
  line.replace((80 - header.size()) / 2, header.size(), header);
  std::fprintf(m_out, "%s\n", line.c_str());
  std::fprintf(m_out, "suite: %s, collected %d item%s", suite.c_str(), collected,
               collected == 1 ? "" : "s");
  if (deselected > 0) {
    std::fprintf(m_out, " / %d deselected / %d selected", deselected, collected - deselected);
  }
  std::fprintf(m_out, ", %d shard%s\nrun directory: %s\n\n", shards, shards == 1 ? "" : "s",
               run_dir.c_str());
  std::fflush(m_out);
}

void ProgressReporter::shard_ready(int shard, const std::string& project)
{
  std::lock_guard lock(m_mutex);
  if (m_verbosity == Verbosity::k_verbose) {
    std::fprintf(m_out, "[shard %d] stack %s ready\n", shard, project.c_str());
    std::fflush(m_out);
  }
}

void ProgressReporter::shard_failed(int shard, const std::string& message)
{
  std::lock_guard lock(m_mutex);
  std::fprintf(m_out, "%s\n%s\n",
               colored("[shard " + std::to_string(shard) + "] ERROR", k_red).c_str(),
               message.c_str());
  std::fflush(m_out);
}

void ProgressReporter::test_finished(const TestResult& result)
{
  std::lock_guard lock(m_mutex);
  ++m_done;
  if (m_verbosity == Verbosity::k_quiet) {
    return;
  }
  const int percent = m_total > 0 ? (m_done * 100) / m_total : 100;
  std::fprintf(m_out, "%s %s [%3d%%]\n", result.id.c_str(),
               colored(outcome_label(result), outcome_color(result.outcome)).c_str(), percent);
  std::fflush(m_out);
}

void ProgressReporter::message(const std::string& text)
{
  std::lock_guard lock(m_mutex);
  std::fprintf(m_out, "%s\n", text.c_str());
  std::fflush(m_out);
}

void ProgressReporter::failures(const std::vector<TestResult>& results)
{
  std::lock_guard lock(m_mutex);
  bool header_printed = false;
  for (const auto& result : results) {
    if (result.outcome != Outcome::k_failed && result.outcome != Outcome::k_error) {
      continue;
    }
    if (!header_printed) {
      std::string line(80, '=');
      const std::string title = " FAILURES ";
      line.replace((80 - title.size()) / 2, title.size(), title);
      std::fprintf(m_out, "\n%s\n", line.c_str());
      header_printed = true;
    }
    std::string title = " " + result.id + " ";
    std::string line(std::max<std::size_t>(80, title.size() + 4), '_');
    line.replace((line.size() - title.size()) / 2, title.size(), title);
    std::fprintf(m_out, "%s\n", colored(line, k_red).c_str());
    if (result.shard > 0) {
      std::fprintf(m_out, "(shard %d)\n", result.shard);
    }
    if (!result.details.empty()) {
      std::fprintf(m_out, "%s\n", result.details.c_str());
    } else if (!result.message.empty()) {
      std::fprintf(m_out, "%s\n", result.message.c_str());
    }
  }
  std::fflush(m_out);
}

void ProgressReporter::summary(const SummaryCounts& counts, Milliseconds elapsed)
{
  std::lock_guard lock(m_mutex);
  const bool bad = counts.failed > 0 || counts.errors > 0;
  const auto line = format_summary_line(counts, elapsed);
  std::fprintf(m_out, "%s\n", colored(line, bad ? k_red : k_green).c_str());
  std::fflush(m_out);
}

}  // namespace orchestrate
