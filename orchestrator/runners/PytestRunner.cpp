#include "runners/PytestRunner.hpp"

#include "core/Error.hpp"
#include "runners/BatchResults.hpp"
#include "process/SignalState.hpp"
#include "reporting/JunitXml.hpp"
#include "runners/PytestProgress.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int k_pytest_no_tests_collected = 5;
constexpr Milliseconds k_poll_interval(50);
// Outside any test (start-up, imports, hooks between tests) the bound is the per-test timeout,
// but never less than this: pytest's own start-up takes seconds on a loaded machine, and a short
// per-test timeout must not stop it.
constexpr Milliseconds k_min_stall_bound(15'000);
// A test's output in its result is at most this much, its tail.
constexpr std::uint64_t k_max_output_bytes = 64 * 1024;

// How a pytest process ended, as far as its tests go.
enum class Ending {
  k_completed,    // pytest ended between tests (normally, or with a usage or collection error)
  k_timed_out,    // we stopped it: a test ran past its timeout
  k_crashed,      // it ended in the middle of a test
  k_interrupted,  // we stopped it: interrupt or stop request
  k_stalled,      // we stopped it: no test ran for a test's timeout (start-up, imports, hooks)
};

// The shard log in [begin, end) (end nullopt: to its end); empty when it cannot be read.
std::string read_log_range(std::ifstream& file, std::uint64_t begin,
                           std::optional<std::uint64_t> end)
{
  file.clear();
  file.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(std::max<std::streamoff>(file.tellg(), 0));
  const std::uint64_t stop = std::min(end.value_or(size), size);
  if (begin >= stop) {
    return {};
  }
  std::string text(stop - begin, '\0');
  file.seekg(static_cast<std::streamoff>(begin));
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(std::max<std::streamsize>(file.gcount(), 0)));
  return text;
}

// A test's output, phase by phase, from the shard log (the plugin gives the offsets; without -s
// there are none, and the output stayed inside pytest); `so_far` adds what it wrote since its
// last result, for a test that never finished. At most its last k_max_output_bytes.
std::string output_of(const PytestTestProgress& test, const std::filesystem::path& log_file,
                      bool so_far)
{
  std::ifstream file(log_file, std::ios::binary);
  if (!file) {
    return {};
  }
  std::string text;
  for (const auto& range : test.output) {
    text += read_log_range(file, range.begin, range.end);
  }
  if (so_far && test.output_resume) {
    text += read_log_range(file, *test.output_resume, std::nullopt);
  }
  if (text.size() > k_max_output_bytes) {
    const auto left_out = text.size() - k_max_output_bytes;
    text = "[... " + std::to_string(left_out) + " bytes of output left out ...]\n" +
           text.substr(left_out);
  }
  return text;
}

// Adds `output` under a heading to the result's details, if it holds anything.
void append_output(TestResult& result, const std::string& heading, const std::string& output)
{
  if (output.find_first_not_of(" \t\r\n") == std::string::npos) {
    return;
  }
  result.details += (result.details.empty() ? "" : "\n\n") + heading + "\n" + output;
}

// When the plugin says the event happened (precise: we poll every 50 ms), else now.
std::chrono::system_clock::time_point event_time(const PytestProgressEvent& event)
{
  if (!event.time) {
    return std::chrono::system_clock::now();
  }
  return std::chrono::system_clock::time_point(
    std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::duration<double>(*event.time)));
}

std::set<std::string> id_set(const std::vector<std::string>& ids)
{
  return {ids.begin(), ids.end()};
}

// The results in pytest's JUnit XML, keyed by requested id. read_junit_xml rebuilds ids from
// classname and name, which loses the module path for unusual python_files; such results are
// matched to the requested id with the same JUnit names.
std::map<std::string, TestResult> read_junit_results(const std::filesystem::path& junit_file,
                                                     const std::vector<std::string>& ids)
{
  std::map<std::string, TestResult> results;
  if (!std::filesystem::exists(junit_file)) {
    return results;
  }
  std::vector<TestResult> read;
  try {
    read = read_junit_xml(junit_file);
  } catch (const Error& error) {
    // A process killed while writing leaves a truncated file: the progress file has it all.
    spdlog::debug("ignoring {}: {}", junit_file.string(), error.what());
    return results;
  }
  const auto requested = id_set(ids);
  std::map<std::pair<std::string, std::string>, std::string> by_names;
  for (const auto& id : ids) {
    by_names.emplace(pytest_junit_names(id), id);
  }
  for (auto& result : read) {
    if (requested.count(result.id) == 0) {
      const auto match = by_names.find({result.classname, result.name});
      if (match == by_names.end()) {
        spdlog::debug("ignoring JUnit result {}: not a requested test", result.id);
        continue;
      }
      result.id = match->second;
    }
    results.emplace(result.id, std::move(result));
  }
  return results;
}

// The results of the tests pytest finished: its JUnit XML's (which `junit` holds when it wrote
// one), else the progress file's; failures and errors get their output.
std::vector<TestResult> finished_results(const PytestProgressTracker& tracker,
                                         std::map<std::string, TestResult> junit,
                                         const std::filesystem::path& log_file)
{
  std::vector<TestResult> results;
  for (const auto& test : tracker.finished()) {
    const auto from_junit = junit.find(test.nodeid);
    TestResult result = from_junit == junit.end() ? result_from_progress(test)
                                                  : std::move(from_junit->second);
    if (from_junit != junit.end()) {
      junit.erase(from_junit);
    }
    if (result.outcome == Outcome::k_failed || result.outcome == Outcome::k_error) {
      append_output(result, "--- output ---", output_of(test, log_file, false));
    }
    results.push_back(std::move(result));
  }
  // A complete run without the plugin's lines (a suite arg disabled it) still has its JUnit XML.
  for (auto& [id, result] : junit) {
    results.push_back(std::move(result));
  }
  return results;
}

// The failure of a test that a stop or crash cut short: `message` and its output so far, also
// noted in the shard log.
TestResult cut_short_result(const PytestTestProgress& test, const std::string& message,
                            Milliseconds duration, const std::filesystem::path& log_file)
{
  TestResult result;
  result.id = test.nodeid;
  std::tie(result.classname, result.name) = pytest_junit_names(test.nodeid);
  result.outcome = Outcome::k_failed;
  result.message = message;
  result.duration = duration;
  // The reason first: a report shows the details under the test's name.
  result.details = message;
  append_output(result, "--- output so far ---", output_of(test, log_file, true));
  note_in_log(log_file, test.nodeid + ": " + message);
  return result;
}

// A phase that failed, not as an expected failure: what makes the test count against -x.
bool any_phase_failed(const PytestTestProgress& test)
{
  return std::any_of(test.phases.begin(), test.phases.end(), [](const PytestProgressEvent& phase) {
    return phase.outcome == "failed" && !phase.wasxfail;
  });
}

}  // namespace

// What one pytest process did.
struct PytestRunner::ProcessRun
{
  ProcessExit exit;
  Ending ending = Ending::k_completed;
  std::vector<TestResult> results;  // only for requested ids, at most one each
  std::string stopped_test;         // the test that timed out or crashed, if any
  std::string stall;                // why it was stopped outside any test (k_stalled)
};

PytestRunner::PytestRunner(const ProjectConfig& project, const SuiteConfig& suite,
                           std::filesystem::path scratch_dir)
  : m_project(project),
    m_suite(suite),
    m_scratch_dir(std::move(scratch_dir))
{
}

std::vector<std::string> PytestRunner::base_command() const
{
  // No cache provider: parallel shards would race on .pytest_cache, and --lf is ours to implement.
  return {m_project.python, "-m", "pytest", "-p", "no:cacheprovider",
          "--rootdir=" + m_project.root.string()};
}

std::filesystem::path PytestRunner::plugin_directory()
{
  std::lock_guard<std::mutex> lock(m_plugin_mutex);
  if (!m_plugin) {
    m_plugin.emplace(m_scratch_dir);
  }
  return m_plugin->path();
}

std::vector<std::string> PytestRunner::collect()
{
  const auto collected_file = plugin_directory() / "collected.txt";
  ProcessOptions options;
  options.end_escaped = true;  // a test's daemons end with its runner
  options.argv = base_command();
  options.argv.insert(options.argv.end(), {"-p", std::string(PytestProgressPlugin::k_module),
                                           "--collect-only", "-q"});
  options.argv.insert(options.argv.end(), m_suite.args.begin(), m_suite.args.end());
  options.argv.insert(options.argv.end(), m_suite.paths.begin(), m_suite.paths.end());
  options.working_directory = m_project.root;
  options.extra_environment["PYTHONPATH"] = python_path_with(plugin_directory(), {});
  options.extra_environment[std::string(PytestProgressPlugin::k_collected_file_variable)] =
    collected_file.string();
  const auto collecting_file = plugin_directory() / "collecting.txt";
  options.extra_environment[std::string(PytestProgressPlugin::k_collecting_file_variable)] =
    collecting_file.string();
  const auto timeout = collect_timeout(m_project, m_suite);
  const auto result = run_command(options, timeout);
  throw_if_collection_cut_short(result.exit, m_suite, timeout, read_collecting(collecting_file));
  if (result.exit.exit_code == k_pytest_no_tests_collected) {
    return {};
  }
  if (!result.exit.succeeded()) {
    throw UsageError("pytest could not collect suite '" + m_suite.name + "' (exit " +
                     std::to_string(result.exit.exit_code) + "):\n" + result.output);
  }
  return read_collected_ids(collected_file);
}

PytestRunner::ProcessRun PytestRunner::run_process(const std::vector<std::string>& ids,
                                                   const BatchRequest& request, int attempt)
{
  const std::string suffix = attempt == 1 ? "" : "-" + std::to_string(attempt);
  const auto junit_file = request.work_dir / ("junit" + suffix + ".xml");
  const auto progress_path = request.work_dir / ("progress" + suffix + ".jsonl");
  std::error_code ignored;
  std::filesystem::remove(junit_file, ignored);
  std::filesystem::remove(progress_path, ignored);

  ProcessOptions options;
  // -u: a test's prints reach the log at once, so a kill cannot lose them in a buffer.
  options.argv = base_command();
  options.argv.insert(options.argv.begin() + 1, "-u");
  options.argv.insert(options.argv.end(),
                      {"-p", std::string(PytestProgressPlugin::k_module), "-s", "-q", "-rN",
                       "--junitxml=" + junit_file.string(), "-o", "junit_family=xunit2"});
  options.argv.insert(options.argv.end(), m_suite.args.begin(), m_suite.args.end());
  options.argv.insert(options.argv.end(), ids.begin(), ids.end());
  options.working_directory = m_project.root;
  options.extra_environment = request.environment;
  options.extra_environment["PYTHONPATH"] =
    python_path_with(plugin_directory(), request.environment);
  options.extra_environment[std::string(PytestProgressPlugin::k_progress_file_variable)] =
    progress_path.string();
  options.output_file = request.log_file;

  ProcessWatcher process(options);
  PytestProgressFile progress(progress_path);
  PytestProgressTracker tracker;
  auto last_progress = Clock::now();
  std::optional<Milliseconds> stall_bound;
  if (request.per_test_timeout) {
    stall_bound = std::max(*request.per_test_timeout, k_min_stall_bound);
  }
  // Outside any test: pytest's start-up, the import of the test modules, or a hook between tests
  // hangs. Without this bound the shard would wait for it forever.
  const std::string stall = stall_bound ? "pytest ran no test for " + format_seconds(*stall_bound) +
                                            " (stuck in start-up, collection or between tests)"
                                        : std::string();
  const auto read_progress = [&] {
    for (const auto& event : progress.read_new()) {
      const std::size_t finished_before = tracker.finished().size();
      tracker.apply(event, Clock::now());
      last_progress = Clock::now();
      if (event.kind == PytestProgressEvent::Kind::k_start && request.on_test_started) {
        request.on_test_started(event.nodeid, event_time(event));
      }
      if (request.on_test_finished) {
        for (std::size_t i = finished_before; i < tracker.finished().size(); ++i) {
          request.on_test_finished(tracker.finished()[i].nodeid,
                                   any_phase_failed(tracker.finished()[i]));
        }
      }
    }
  };

  std::string blamed;  // the test whose timeout is armed; empty when the stall bound is
  const auto ending = process.watch(k_poll_interval, [&] {
    read_progress();
    if (!request.per_test_timeout) {
      return;
    }
    if (const auto* running = tracker.running()) {
      blamed = running->nodeid;
      process.arm_deadline(tracker.running_since(), *request.per_test_timeout,
                           blamed + " ran past its timeout");
    } else {
      blamed.clear();
      process.arm_deadline(last_progress, *stall_bound, stall);
    }
  });

  ProcessRun run;
  run.exit = ending.exit;
  Milliseconds stopped_after{0};
  if (ending.stopped_by == ProcessEnding::StoppedBy::k_interrupt) {
    run.ending = Ending::k_interrupted;
  } else if (ending.stopped_by == ProcessEnding::StoppedBy::k_deadline && !blamed.empty()) {
    run.ending = Ending::k_timed_out;
    run.stopped_test = blamed;
    stopped_after = ending.overdue_after;
  } else if (ending.stopped_by == ProcessEnding::StoppedBy::k_deadline) {
    run.ending = Ending::k_stalled;
    run.stall = stall;
    note_in_log(request.log_file, run.stall + "; stopped");
  }
  // What the plugin flushed just before the end.
  read_progress();

  const auto requested = id_set(ids);
  for (auto& result :
       finished_results(tracker, read_junit_results(junit_file, ids), request.log_file)) {
    if (requested.count(result.id) != 0) {
      run.results.push_back(std::move(result));
    }
  }

  const auto* running = tracker.running();
  if (running == nullptr || run.ending == Ending::k_interrupted ||
      requested.count(running->nodeid) == 0) {
    return run;
  }
  if (run.ending == Ending::k_timed_out) {
    if (running->nodeid != run.stopped_test) {
      // The slow test finished just before the stop; the one caught instead reruns.
      return run;
    }
    run.results.push_back(cut_short_result(
      *running, "timeout after " + format_seconds(*request.per_test_timeout), stopped_after,
      request.log_file));
  } else {
    run.ending = Ending::k_crashed;
    run.stopped_test = running->nodeid;
    run.results.push_back(cut_short_result(
      *running, crash_message("pytest", run.exit),
      std::chrono::duration_cast<Milliseconds>(Clock::now() - tracker.running_since()),
      request.log_file));
  }
  return run;
}

BatchOutcome PytestRunner::run_batch(const BatchRequest& request)
{
  BatchOutcome outcome;
  BatchResults results(request);
  BatchRequest current = request;  // its environment changes when the stack is recreated
  std::string stall;
  for (int attempt = 1; !results.pending().empty(); ++attempt) {
    if (should_stop_children()) {
      outcome.exit.interrupted = true;
      break;
    }
    const bool timed_out_before = outcome.exit.timed_out;
    ProcessRun run = run_process(results.pending(), current, attempt);
    stall = run.stall;
    outcome.exit = run.exit;
    outcome.exit.timed_out = outcome.exit.timed_out || timed_out_before;
    // Only a kill or crash in the middle of a test is worth another process, and only when it
    // gave that test a result: no loop can come of it.
    const bool restart = run.ending == Ending::k_timed_out || run.ending == Ending::k_crashed;
    if (results.add(std::move(run.results)) == 0 || !restart || results.pending().empty()) {
      break;
    }
    prepare_restart(run.stopped_test + " did not finish", results.pending().size(), current);
  }

  std::string cause = describe_exit("pytest", outcome.exit) + " before reporting this test";
  if (outcome.exit.interrupted) {
    cause = "interrupted";
  } else if (!stall.empty()) {
    cause = stall;
  }
  outcome.results = std::move(results).finish(cause);
  return outcome;
}

std::string read_collecting(const std::filesystem::path& file)
{
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

std::vector<std::string> read_collected_ids(const std::filesystem::path& file)
{
  std::ifstream in(file);
  if (!in) {
    throw InternalError("pytest collected without writing its test ids to " + file.string());
  }
  std::vector<std::string> ids;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) {
      ids.push_back(line);
    }
  }
  return ids;
}

}  // namespace orchestrate
