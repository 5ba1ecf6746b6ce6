#include "runners/GtestRunner.hpp"

#include "core/Error.hpp"
#include "runners/BatchResults.hpp"
#include "process/SignalState.hpp"
#include "reporting/JunitXml.hpp"
#include "runners/GtestProgress.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

constexpr Milliseconds k_poll_interval(50);
// One argv string may hold at most 128 KiB (MAX_ARG_STRLEN); stay well below it.
constexpr std::size_t k_max_filter_length = 100'000;
constexpr std::string_view k_also_run_disabled = "--gtest_also_run_disabled_tests";

// How a process of the binary ended, as far as its tests go.
enum class Ending {
  k_completed,    // it wrote its XML report
  k_timed_out,    // we stopped it: a test (or the binary outside any test) ran past the timeout
  k_crashed,      // it ended without its report
  k_interrupted,  // we stopped it: interrupt or stop request
};

// gtest's kDisableTestFilter is "DISABLED_*:*/DISABLED_*", matched against suite and test names.
bool is_disabled_name(const std::string& name)
{
  return name.rfind("DISABLED_", 0) == 0 || name.find("/DISABLED_") != std::string::npos;
}

std::string first_word(const std::string& line)
{
  std::istringstream words(line);
  std::string word;
  words >> word;
  return word;
}

// gtest's boolean flags: `--flag` or `--flag=value`; a value starting with 0, f or F is false.
bool runs_disabled_tests(const std::vector<std::string>& args)
{
  bool enabled = false;
  const std::string flag(k_also_run_disabled);
  for (const auto& arg : args) {
    if (arg == flag) {
      enabled = true;
    } else if (arg.rfind(flag + "=", 0) == 0) {
      const std::string value = arg.substr(flag.size() + 1);
      enabled = value.empty() || (value[0] != '0' && value[0] != 'f' && value[0] != 'F');
    }
  }
  return enabled;
}

bool asks_for_brief_output(const std::vector<std::string>& args)
{
  return std::any_of(args.begin(), args.end(),
                     [](const std::string& arg) { return arg.rfind("--gtest_brief", 0) == 0; });
}

// Reads what a child appends to the shard log: from the log's size when it was made, which must
// be before the child starts. Batches of a shard run one after another, so that part is the
// child's own.
class LogFollower
{
public:
  explicit LogFollower(std::filesystem::path file) : m_file(std::move(file))
  {
    std::error_code missing;
    const auto size = std::filesystem::file_size(m_file, missing);
    m_offset = missing ? 0 : size;
  }

  // The bytes appended since the last call; empty when the log cannot be read.
  std::string read_new()
  {
    std::ifstream log(m_file, std::ios::binary);
    if (!log || !log.seekg(static_cast<std::streamoff>(m_offset))) {
      return {};
    }
    std::string text{std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>()};
    m_offset += text.size();
    return text;
  }

private:
  std::filesystem::path m_file;
  std::uintmax_t m_offset = 0;
};

// The requested tests' results in gtest's XML report; nullopt when there is no complete report.
std::optional<std::vector<TestResult>> read_report(const std::filesystem::path& xml_file,
                                                   const std::set<std::string>& requested)
{
  if (!std::filesystem::exists(xml_file)) {
    return std::nullopt;
  }
  std::vector<TestResult> read;
  try {
    read = read_junit_xml(xml_file);
  } catch (const Error& error) {
    // A process killed while writing leaves a truncated file: the console progress has it all.
    spdlog::debug("ignoring {}: {}", xml_file.string(), error.what());
    return std::nullopt;
  }
  std::vector<TestResult> results;
  for (auto& result : read) {
    // The id --gtest_list_tests printed, whatever the reader would rebuild from the names.
    result.id = result.classname + "." + result.name;
    if (requested.count(result.id) != 0) {
      results.push_back(std::move(result));
    } else {
      spdlog::debug("ignoring gtest result {}: not a requested test", result.id);
    }
  }
  return results;
}

}  // namespace

struct GtestRunner::ProcessRun
{
  std::vector<TestResult> results;  // requested tests only
  ProcessExit exit;
  Ending ending = Ending::k_completed;
  std::string charged;  // the test failed for the timeout or the crash, if any
  std::string cause;    // why the tests without a result have none
};

GtestRunner::GtestRunner(const ProjectConfig& project, const SuiteConfig& suite)
  : m_project(project),
    m_suite(suite)
{
}

std::filesystem::path GtestRunner::binary() const
{
  return m_project.root / m_suite.gtest_binary;
}

std::vector<std::string> GtestRunner::collect()
{
  const auto path = binary();
  if (!std::filesystem::is_regular_file(path)) {
    throw UsageError("suite '" + m_suite.name + "': the gtest binary " + path.string() +
                     " does not exist; build it first (scripts/build)");
  }
  if (::access(path.c_str(), X_OK) != 0) {
    throw UsageError("suite '" + m_suite.name + "': the gtest binary " + path.string() +
                     " is not executable; build it again (scripts/build)");
  }
  ProcessOptions options;
  options.end_escaped = true;  // a test's daemons end with its runner
  options.argv = {path.string()};
  options.argv.insert(options.argv.end(), m_suite.args.begin(), m_suite.args.end());
  options.argv.push_back("--gtest_list_tests");
  options.working_directory = m_project.root;
  const auto timeout = collect_timeout(m_project, m_suite);
  const auto result = run_command(options, timeout);
  throw_if_collection_cut_short(result.exit, m_suite, timeout, "");
  if (!result.exit.succeeded()) {
    throw UsageError("suite '" + m_suite.name + "': " + path.string() +
                     " --gtest_list_tests failed (exit " + std::to_string(result.exit.exit_code) +
                     "):\n" + result.output);
  }
  return parse_gtest_list_output(result.output, runs_disabled_tests(m_suite.args));
}

GtestRunner::ProcessRun GtestRunner::run_process(const std::vector<std::string>& ids,
                                                 const BatchRequest& request, int attempt) const
{
  const auto xml_file =
    request.work_dir / (attempt == 1 ? "gtest.xml" : "gtest-" + std::to_string(attempt) + ".xml");
  std::error_code ignored;
  std::filesystem::remove(xml_file, ignored);

  ProcessOptions options;
  options.argv = {binary().string()};
  options.argv.insert(options.argv.end(), m_suite.args.begin(), m_suite.args.end());
  if (asks_for_brief_output(m_suite.args)) {
    options.argv.push_back("--gtest_brief=0");
  }
  options.argv.push_back("--gtest_filter=" + gtest_filter_for(ids));
  options.argv.push_back("--gtest_output=xml:" + xml_file.string());
  options.working_directory = m_project.root;
  options.extra_environment = request.environment;
  options.extra_environment["GTEST_BRIEF"] = "0";
  options.output_file = request.log_file;

  LogFollower log(request.log_file);
  ProcessWatcher process(options);
  GtestProgress progress(Clock::now());
  ProcessRun run;
  std::string announced;  // the running test last passed to on_test_started
  std::size_t finished_announced = 0;
  std::string charged;  // whom the armed deadline blames: the running test, or nobody
  const auto ending = process.watch(k_poll_interval, [&] {
    progress.feed(log.read_new(), Clock::now());
    for (; finished_announced < progress.finished().size(); ++finished_announced) {
      const auto& ended = progress.finished()[finished_announced];
      if (request.on_test_finished) {
        request.on_test_finished(ended.id, ended.outcome == Outcome::k_failed ||
                                             ended.outcome == Outcome::k_error);
      }
    }
    if (const auto* started = progress.running();
        started != nullptr && *started != announced && request.on_test_started) {
      announced = *started;
      request.on_test_started(announced, std::chrono::system_clock::now());
    }
    if (request.per_test_timeout) {
      // A hang outside any test (a suite's setup, a global environment) charges nobody.
      const auto* running = progress.running();
      charged = running != nullptr ? *running : std::string();
      process.arm_deadline(running != nullptr ? progress.running_since() : progress.last_change(),
                           *request.per_test_timeout,
                           (running != nullptr ? *running : "the binary outside any test") +
                             " ran past its timeout");
    }
  });
  run.exit = ending.exit;
  Milliseconds stopped_after{0};
  if (ending.stopped_by == ProcessEnding::StoppedBy::k_interrupt) {
    run.ending = Ending::k_interrupted;
  } else if (ending.stopped_by == ProcessEnding::StoppedBy::k_deadline) {
    run.ending = Ending::k_timed_out;
    run.charged = charged;
    stopped_after = ending.overdue_after;
  }
  // What it printed just before the end.
  progress.feed(log.read_new(), Clock::now());

  const std::set<std::string> requested(ids.begin(), ids.end());
  auto report = read_report(xml_file, requested);
  if (report) {
    run.results = std::move(*report);
    run.cause = "the gtest binary did not report this test (exit code " +
                std::to_string(run.exit.exit_code) + "); is it still in --gtest_list_tests?";
    return run;
  }
  for (const auto& result : progress.finished()) {
    if (requested.count(result.id) != 0) {
      run.results.push_back(result);
    }
  }
  if (run.ending == Ending::k_interrupted) {
    run.cause = "interrupted";
    return run;
  }
  const auto* running = progress.running();
  if (run.ending == Ending::k_completed) {
    run.ending = Ending::k_crashed;
    run.charged = running != nullptr ? *running : std::string();
  }
  run.cause = run.ending == Ending::k_timed_out
                ? "timeout: the gtest binary spent " + format_seconds(stopped_after) +
                    " outside any test and was stopped"
                : describe_exit("the gtest binary", run.exit) +
                    " outside any test, before reporting this one";
  if (running == nullptr || *running != run.charged || requested.count(*running) == 0) {
    // A timed-out test that ended just before the stop: the one it caught runs again.
    return run;
  }
  TestResult result = gtest_result_named(*running);
  result.outcome = Outcome::k_failed;
  if (run.ending == Ending::k_timed_out) {
    result.message = "timeout after " + format_seconds(*request.per_test_timeout);
    result.duration = stopped_after;
  } else {
    result.message = crash_message("the gtest binary", run.exit);
    result.duration =
      std::chrono::duration_cast<Milliseconds>(Clock::now() - progress.running_since());
  }
  result.details = result.message + "\n" + progress.running_output();
  run.results.push_back(std::move(result));
  return run;
}

BatchOutcome GtestRunner::run_batch(const BatchRequest& request)
{
  BatchOutcome outcome;
  BatchResults results(request);
  BatchRequest current = request;  // its environment changes when the stack is recreated
  std::string cause = "interrupted";
  for (int attempt = 1; !results.pending().empty(); ++attempt) {
    if (should_stop_children()) {
      outcome.exit.interrupted = true;
      cause = "interrupted";
      break;
    }
    const auto group = split_for_filter(results.pending(), k_max_filter_length).front();
    const bool timed_out_before = outcome.exit.timed_out;
    ProcessRun run = run_process(group, current, attempt);
    outcome.exit = run.exit;
    outcome.exit.timed_out = outcome.exit.timed_out || timed_out_before;
    cause = run.cause;

    const std::size_t added = results.add(std::move(run.results));
    const bool group_done = std::all_of(group.begin(), group.end(), [&](const std::string& id) {
      return results.has_result(id);
    });
    if (group_done) {
      continue;
    }
    // Only a kill or crash is worth another process, and only when it gave some test a result:
    // no loop can come of it.
    const bool restart = run.ending == Ending::k_timed_out || run.ending == Ending::k_crashed;
    if (!restart || added == 0 || results.pending().empty()) {
      break;
    }
    const std::string what = run.charged.empty()           ? "the gtest binary died"
                             : run.ending == Ending::k_crashed ? run.charged + " crashed"
                                                               : run.charged + " timed out";
    prepare_restart(what, results.pending().size(), current);
  }
  outcome.results = std::move(results).finish(cause);
  return outcome;
}

std::vector<std::string> parse_gtest_list_output(const std::string& output, bool include_disabled)
{
  std::vector<std::string> ids;
  std::string suite;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    const std::string word = first_word(line);
    if (word.empty()) {
      continue;
    }
    if (line.front() != ' ') {
      // "Suite." or "Typed/0.  # TypeParam = int"; anything else (gtest_main's "Running main()
      // from ...") is not a suite, and no test lines belong to it.
      const bool is_suite = word.size() > 1 && word.back() == '.';
      suite = is_suite ? word.substr(0, word.size() - 1) : std::string();
      continue;
    }
    if (suite.empty() || word.front() == '#') {
      continue;
    }
    if (!include_disabled && (is_disabled_name(suite) || is_disabled_name(word))) {
      continue;
    }
    ids.push_back(suite + "." + word);
  }
  return ids;
}

std::string gtest_filter_for(const std::vector<std::string>& test_ids)
{
  std::string filter;
  for (const auto& id : test_ids) {
    if (!filter.empty()) {
      filter += ':';
    }
    filter += id;
  }
  return filter;
}

std::vector<std::vector<std::string>> split_for_filter(const std::vector<std::string>& test_ids,
                                                       std::size_t max_filter_length)
{
  std::vector<std::vector<std::string>> groups;
  std::size_t length = 0;
  for (const auto& id : test_ids) {
    const std::size_t added = id.size() + 1;  // the id and its ':' separator
    if (groups.empty() || length + added > max_filter_length) {
      groups.emplace_back();
      length = 0;
    }
    groups.back().push_back(id);
    length += added;
  }
  return groups;
}

}  // namespace orchestrate
