#include "runners/PytestRunner.hpp"

#include "core/Error.hpp"
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
#include <thread>
#include <tuple>

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int k_pytest_no_tests_collected = 5;
constexpr Milliseconds k_poll_interval(50);
// SIGTERM ends pytest at once (Python has no handler for it); the grace is for tests' children.
constexpr Milliseconds k_stop_grace(2000);
// A test's output in its result is at most this much, its tail.
constexpr std::uint64_t k_max_output_bytes = 64 * 1024;

// How a pytest process ended, as far as its tests go.
enum class Ending {
  k_completed,    // pytest ended between tests (normally, or with a usage or collection error)
  k_timed_out,    // we stopped it: a test ran past its timeout
  k_crashed,      // it ended in the middle of a test
  k_interrupted,  // we stopped it: interrupt or stop request
};

// "killed by signal 11 (SIGSEGV)".
std::string describe_signal(int signal_number)
{
  std::string text = "killed by signal " + std::to_string(signal_number);
  if (const char* name = ::sigabbrev_np(signal_number)) {
    text += std::string(" (SIG") + name + ")";
  }
  return text;
}

// The shard log between `begin` and `end` (nullopt: its end), at most its last
// k_max_output_bytes. Empty when the log cannot be read.
std::string read_log_range(const std::filesystem::path& log_file, std::uint64_t begin,
                           std::optional<std::uint64_t> end)
{
  std::ifstream file(log_file, std::ios::binary | std::ios::ate);
  if (!file) {
    return {};
  }
  const auto size = static_cast<std::uint64_t>(std::max<std::streamoff>(file.tellg(), 0));
  const std::uint64_t stop = std::min(end.value_or(size), size);
  if (begin >= stop) {
    return {};
  }
  std::string text;
  std::uint64_t start = begin;
  if (stop - start > k_max_output_bytes) {
    start = stop - k_max_output_bytes;
    text = "[... " + std::to_string(start - begin) + " bytes of output left out ...]\n";
  }
  std::string chunk(stop - start, '\0');
  file.seekg(static_cast<std::streamoff>(start));
  file.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  chunk.resize(static_cast<std::size_t>(std::max<std::streamsize>(file.gcount(), 0)));
  return text + chunk;
}

// A test's output so far: the log from its start on (its offsets come from the plugin; without
// -s there are none and the output stayed inside pytest).
std::string output_of(const PytestTestProgress& test, const std::filesystem::path& log_file,
                      bool to_end)
{
  if (!test.output_begin) {
    return {};
  }
  return read_log_range(log_file, *test.output_begin,
                        to_end ? std::nullopt : test.output_end);
}

void append_output(TestResult& result, const std::string& output)
{
  if (output.find_first_not_of(" \t\r\n") == std::string::npos) {
    return;
  }
  result.details += (result.details.empty() ? "" : "\n\n") + std::string("--- output ---\n") +
                    output;
}

// A note for whoever reads the shard log: why the next pytest process starts.
void note_in_log(const std::filesystem::path& log_file, const std::string& note)
{
  std::ofstream(log_file, std::ios::app) << "\norchestrate: " << note << "\n";
}

// PYTHONPATH with the plugin's directory first, keeping what the shard or we were given.
std::string python_path_with(const std::filesystem::path& directory,
                             const std::map<std::string, std::string>& environment)
{
  std::string value = directory.string();
  const auto given = environment.find("PYTHONPATH");
  const char* inherited = std::getenv("PYTHONPATH");
  const std::string rest = given != environment.end() ? given->second
                           : inherited != nullptr     ? inherited
                                                      : "";
  if (!rest.empty()) {
    value += ":" + rest;
  }
  return value;
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

}  // namespace

// What one pytest process did.
struct PytestRunner::ProcessRun
{
  ProcessExit exit;
  Ending ending = Ending::k_completed;
  std::vector<TestResult> results;  // only for requested ids, at most one each
  std::string stopped_test;         // the test that timed out or crashed, if any
};

PytestRunner::PytestRunner(const ProjectConfig& project, const SuiteConfig& suite)
  : m_project(project),
    m_suite(suite)
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
    m_plugin.emplace();
  }
  return m_plugin->path();
}

std::vector<std::string> PytestRunner::collect()
{
  ProcessOptions options;
  options.argv = base_command();
  options.argv.insert(options.argv.end(), {"--collect-only", "-q"});
  options.argv.insert(options.argv.end(), m_suite.args.begin(), m_suite.args.end());
  options.argv.insert(options.argv.end(), m_suite.paths.begin(), m_suite.paths.end());
  options.working_directory = m_project.root;
  const auto result = run_command(options, Milliseconds(120'000));
  if (result.exit.exit_code == k_pytest_no_tests_collected) {
    return {};
  }
  if (!result.exit.succeeded()) {
    throw UsageError("pytest could not collect suite '" + m_suite.name + "' (exit " +
                     std::to_string(result.exit.exit_code) + "):\n" + result.output);
  }
  return parse_pytest_collect_output(result.output);
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

  ChildProcess process(options);
  PytestProgressFile progress(progress_path);
  PytestProgressTracker tracker;
  const auto read_progress = [&] {
    for (const auto& event : progress.read_new()) {
      tracker.apply(event, Clock::now());
    }
  };

  ProcessRun run;
  Milliseconds stopped_after{0};
  while (true) {
    const auto exit = process.poll();
    read_progress();
    if (exit) {
      run.exit = *exit;
      break;
    }
    if (should_stop_children()) {
      // A second interrupt asks for speed: no grace.
      process.stop(interrupt_count() > 1 ? Milliseconds(0) : k_stop_grace);
      run.exit = process.poll().value_or(ProcessExit{});
      run.exit.interrupted = true;
      run.ending = Ending::k_interrupted;
      break;
    }
    const auto* running = tracker.running();
    if (running != nullptr && request.per_test_timeout &&
        Clock::now() - tracker.running_since() >= *request.per_test_timeout) {
      run.stopped_test = running->nodeid;
      stopped_after =
        std::chrono::duration_cast<Milliseconds>(Clock::now() - tracker.running_since());
      spdlog::debug("[pid: {}] {} ran past its timeout: stopping pytest", process.pid(),
                    run.stopped_test);
      process.stop(k_stop_grace);
      run.exit = process.poll().value_or(ProcessExit{});
      run.exit.timed_out = true;
      run.ending = Ending::k_timed_out;
      break;
    }
    std::this_thread::sleep_for(k_poll_interval);
  }
  // What the plugin flushed just before the end.
  read_progress();

  const auto requested = id_set(ids);
  auto junit = read_junit_results(junit_file, ids);
  const auto accept = [&](TestResult result) {
    if (requested.count(result.id) != 0) {
      run.results.push_back(std::move(result));
    }
  };
  for (const auto& test : tracker.finished()) {
    auto from_junit = junit.find(test.nodeid);
    TestResult result =
      from_junit != junit.end() ? std::move(from_junit->second) : result_from_progress(test);
    if (from_junit != junit.end()) {
      junit.erase(from_junit);
    }
    if (result.outcome == Outcome::k_failed || result.outcome == Outcome::k_error) {
      append_output(result, output_of(test, request.log_file, false));
    }
    accept(std::move(result));
  }
  // A complete run without the plugin's lines (e.g. a suite arg disabled it) still has JUnit.
  for (auto& [id, result] : junit) {
    accept(std::move(result));
  }

  const auto* running = tracker.running();
  if (running == nullptr || run.ending == Ending::k_interrupted) {
    return run;
  }
  if (run.ending == Ending::k_timed_out && running->nodeid != run.stopped_test) {
    // The slow test finished just before the stop; the one it caught reruns in the next process.
    return run;
  }
  TestResult result;
  result.id = running->nodeid;
  std::tie(result.classname, result.name) = pytest_junit_names(running->nodeid);
  result.outcome = Outcome::k_failed;
  if (run.ending == Ending::k_timed_out) {
    result.message = "timeout after " + format_seconds(*request.per_test_timeout);
    result.duration = stopped_after;
  } else {
    run.ending = Ending::k_crashed;
    run.stopped_test = running->nodeid;
    result.message = "crashed: " + (run.exit.signal != 0
                                      ? describe_signal(run.exit.signal)
                                      : "pytest exited with code " +
                                          std::to_string(run.exit.exit_code) + " during this test");
    result.duration =
      std::chrono::duration_cast<Milliseconds>(Clock::now() - tracker.running_since());
  }
  result.details = output_of(*running, request.log_file, true);
  accept(std::move(result));
  return run;
}

BatchOutcome PytestRunner::run_batch(const BatchRequest& request)
{
  BatchOutcome outcome;
  std::set<std::string> reported;
  std::vector<std::string> pending = request.test_ids;
  for (int attempt = 1; !pending.empty(); ++attempt) {
    if (should_stop_children()) {
      outcome.exit.interrupted = true;
      break;
    }
    const bool timed_out_before = outcome.exit.timed_out;
    ProcessRun run = run_process(pending, request, attempt);
    outcome.exit = run.exit;
    outcome.exit.timed_out = outcome.exit.timed_out || timed_out_before;

    const std::size_t reported_before = reported.size();
    for (auto& result : run.results) {
      if (reported.insert(result.id).second) {
        outcome.results.push_back(std::move(result));
      }
    }
    std::erase_if(pending, [&](const std::string& id) { return reported.count(id) != 0; });
    // Only a kill or crash in the middle of a test is worth another process, and only when it
    // gave that test a result: no loop can come of it.
    const bool restart = run.ending == Ending::k_timed_out || run.ending == Ending::k_crashed;
    if (!restart || reported.size() == reported_before || pending.empty()) {
      break;
    }
    const std::string what = run.ending == Ending::k_timed_out ? "timed out" : "crashed";
    spdlog::debug("{} {}; running the batch's {} other tests in a new pytest process",
                  run.stopped_test, what, pending.size());
    note_in_log(request.log_file, run.stopped_test + " " + what + "; the batch's " +
                                    std::to_string(pending.size()) +
                                    " remaining tests go on in a new pytest process");
  }

  std::string cause = "pytest exited with code " + std::to_string(outcome.exit.exit_code) +
                      " before reporting this test";
  if (outcome.exit.interrupted) {
    cause = "interrupted";
  } else if (outcome.exit.signal != 0) {
    cause = "pytest was " + describe_signal(outcome.exit.signal) + " before reporting this test";
  }
  add_missing_results(request.test_ids, cause, outcome.results);
  return outcome;
}

std::vector<std::string> parse_pytest_collect_output(const std::string& output)
{
  std::vector<std::string> ids;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) {
      if (!ids.empty()) {
        break;  // the blank line before "N tests collected"
      }
      continue;
    }
    if (line.find("::") != std::string::npos && line.front() != ' ' && line.front() != '=') {
      ids.push_back(line);
    }
  }
  return ids;
}

}  // namespace orchestrate
