#include "runners/PytestProgress.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>
#include <tuple>

namespace orchestrate {

namespace {

using Json = nlohmann::json;

std::optional<PytestProgressEvent::Kind> parse_kind(const std::string& name)
{
  if (name == "start") {
    return PytestProgressEvent::Kind::k_start;
  }
  if (name == "result") {
    return PytestProgressEvent::Kind::k_result;
  }
  if (name == "finish") {
    return PytestProgressEvent::Kind::k_finish;
  }
  return std::nullopt;
}

std::string string_field(const Json& object, const char* key)
{
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::optional<std::uint64_t> offset_field(const Json& object, const char* key)
{
  const auto found = object.find(key);
  if (found == object.end() || !found->is_number_unsigned()) {
    return std::nullopt;
  }
  return found->get<std::uint64_t>();
}

std::optional<PytestProgressEvent> parse_event(std::string_view line)
{
  const Json object = Json::parse(line, nullptr, false);
  if (!object.is_object()) {
    return std::nullopt;
  }
  const auto kind = parse_kind(string_field(object, "event"));
  PytestProgressEvent event;
  event.nodeid = string_field(object, "nodeid");
  if (!kind || event.nodeid.empty()) {
    return std::nullopt;
  }
  event.kind = *kind;
  event.log_offset = offset_field(object, "log_offset");
  event.log_resume = offset_field(object, "log_resume");
  if (const auto time = object.find("time"); time != object.end() && time->is_number()) {
    event.time = time->get<double>();
  }
  if (event.kind != PytestProgressEvent::Kind::k_result) {
    return event;
  }
  event.when = string_field(object, "when");
  event.outcome = string_field(object, "outcome");
  event.message = string_field(object, "message");
  event.longrepr = string_field(object, "longrepr");
  if (const auto duration = object.find("duration");
      duration != object.end() && duration->is_number()) {
    event.duration = Milliseconds(std::llround(std::max(0.0, duration->get<double>()) * 1000.0));
  }
  if (const auto wasxfail = object.find("wasxfail");
      wasxfail != object.end() && wasxfail->is_string()) {
    event.wasxfail = wasxfail->get<std::string>();
  }
  return event;
}

// pytest's JUnit XML drops this prefix of skip reasons.
std::string skip_reason(const std::string& message)
{
  constexpr std::string_view k_prefix = "Skipped: ";
  return message.rfind(k_prefix, 0) == 0 ? message.substr(k_prefix.size()) : message;
}

// A multi-line message ("AssertionError: x\nassert 1 == 2") as one line, the way
// read_junit_xml gives it.
std::string joined_lines(const std::string& text)
{
  std::string line;
  std::istringstream lines(text);
  std::string part;
  while (std::getline(lines, part)) {
    const auto begin = part.find_first_not_of(" \t\r");
    if (begin == std::string::npos) {
      continue;
    }
    const auto end = part.find_last_not_of(" \t\r") + 1;
    line += (line.empty() ? "" : " ") + part.substr(begin, end - begin);
  }
  return line;
}

// The outcome and message one phase gives the test; nullopt when the phase changes nothing (a
// passed setup or teardown).
std::optional<std::pair<Outcome, std::string>> phase_outcome(const PytestProgressEvent& phase)
{
  const bool call = phase.when == "call";
  if (phase.outcome == "failed") {
    const std::string message = joined_lines(phase.message);
    if (call) {
      return std::pair{Outcome::k_failed, message};
    }
    return std::pair{Outcome::k_error, "failed on " + phase.when + " with \"" + message + "\""};
  }
  if (phase.outcome == "skipped") {
    if (phase.wasxfail) {
      return std::pair{Outcome::k_xfailed, *phase.wasxfail};
    }
    return std::pair{Outcome::k_skipped, skip_reason(phase.message)};
  }
  if (call && phase.wasxfail) {
    return std::pair{Outcome::k_xpassed, *phase.wasxfail};
  }
  if (call) {
    return std::pair{Outcome::k_passed, std::string()};
  }
  return std::nullopt;
}

}  // namespace

std::vector<PytestProgressEvent> parse_progress_lines(std::string_view text)
{
  std::vector<PytestProgressEvent> events;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      continue;
    }
    if (auto event = parse_event(line)) {
      events.push_back(std::move(*event));
    } else {
      spdlog::debug("ignoring a pytest progress line that is not an event: {}", line);
    }
  }
  return events;
}

PytestProgressFile::PytestProgressFile(std::filesystem::path path) : m_path(std::move(path))
{
}

std::vector<PytestProgressEvent> PytestProgressFile::read_new()
{
  std::ifstream file(m_path, std::ios::binary);
  if (!file) {
    return {};
  }
  file.seekg(static_cast<std::streamoff>(m_offset));
  std::string chunk((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  m_offset += chunk.size();
  m_partial += chunk;
  const auto last_newline = m_partial.rfind('\n');
  if (last_newline == std::string::npos) {
    return {};
  }
  auto events = parse_progress_lines(std::string_view(m_partial).substr(0, last_newline + 1));
  m_partial.erase(0, last_newline + 1);
  return events;
}

void PytestProgressTracker::apply(const PytestProgressEvent& event, Clock::time_point seen)
{
  using Kind = PytestProgressEvent::Kind;
  if (event.kind == Kind::k_start) {
    // A start while another test runs means a lost finish: that test is over all the same.
    finish_running();
    m_running = PytestTestProgress{event.nodeid, {}, event.log_offset, {}};
    m_running_since = seen;
    return;
  }
  if (!m_running || m_running->nodeid != event.nodeid) {
    spdlog::debug("ignoring a pytest progress event for {}, which is not running", event.nodeid);
    return;
  }
  if (event.kind == Kind::k_finish) {
    finish_running();
    return;
  }
  auto& resume = m_running->output_resume;
  if (resume && event.log_offset && *event.log_offset > *resume) {
    m_running->output.push_back({*resume, *event.log_offset});
  }
  resume = event.log_resume ? event.log_resume : event.log_offset;
  m_running->phases.push_back(event);
  if (event.when == "teardown") {
    finish_running();
  }
}

const PytestTestProgress* PytestProgressTracker::running() const
{
  return m_running ? &*m_running : nullptr;
}

void PytestProgressTracker::finish_running()
{
  if (m_running) {
    m_finished.push_back(std::move(*m_running));
    m_running.reset();
  }
}

TestResult result_from_progress(const PytestTestProgress& test)
{
  TestResult result;
  result.id = test.nodeid;
  std::tie(result.classname, result.name) = pytest_junit_names(test.nodeid);
  if (test.phases.empty()) {
    result.outcome = Outcome::k_error;
    result.message = "pytest reported no result for this test";
    return result;
  }
  // Starts as a pass: a test whose setup and teardown passed and that had no call is one.
  result.outcome = Outcome::k_passed;
  for (const auto& phase : test.phases) {
    result.duration += phase.duration;
    if (phase.outcome == "failed" && !phase.longrepr.empty()) {
      result.details += (result.details.empty() ? "" : "\n") + phase.longrepr;
    }
    const auto outcome = phase_outcome(phase);
    if (!outcome) {
      continue;
    }
    // A later phase overrides a pass or skip, never a failure or error: a failed call stays a
    // failure after a teardown error (as read_junit_xml ranks them).
    if (result.outcome != Outcome::k_failed && result.outcome != Outcome::k_error) {
      result.outcome = outcome->first;
      result.message = outcome->second;
    }
  }
  return result;
}

std::pair<std::string, std::string> pytest_junit_names(const std::string& nodeid)
{
  // As pytest's junitxml mangle_test_address: parameters may contain "::" and "/".
  const auto bracket = nodeid.find('[');
  const std::string path = nodeid.substr(0, bracket);
  const std::string params = bracket == std::string::npos ? std::string() : nodeid.substr(bracket);
  std::vector<std::string> names;
  std::size_t begin = 0;
  while (true) {
    const auto separator = path.find("::", begin);
    names.push_back(path.substr(begin, separator - begin));
    if (separator == std::string::npos) {
      break;
    }
    begin = separator + 2;
  }
  std::string& module = names.front();
  std::replace(module.begin(), module.end(), '/', '.');
  if (module.size() >= 3 && module.compare(module.size() - 3, 3, ".py") == 0) {
    module.resize(module.size() - 3);
  }
  names.back() += params;
  std::string classname;
  for (std::size_t i = 0; i + 1 < names.size(); ++i) {
    classname += (i == 0 ? "" : ".") + names[i];
  }
  return {classname, names.back()};
}

}  // namespace orchestrate
