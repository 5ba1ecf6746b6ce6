#pragma once

#include "config/ProjectConfig.hpp"
#include "config/SuiteConfig.hpp"
#include "process/ProcessWatcher.hpp"
#include "reporting/TestResult.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// One invocation of a runner over an explicit list of tests, in one shard.
struct BatchRequest
{
  std::vector<std::string> test_ids;
  std::map<std::string, std::string> environment;  // fixtures' variables + ORCHESTRATE_* etc.
  std::filesystem::path work_dir;                  // for the runner's JUnit XML; must exist
  std::filesystem::path log_file;                  // the shard's log, appended to
  std::optional<Milliseconds> per_test_timeout;    // each test's bound; nullopt: none
  // Called before a new process takes over the batch's remaining tests after a crash or a
  // timeout: what killed the test may have taken a service down with it, so the shard checks
  // its stack, recreates it when it is unhealthy, and updates `environment` (new ports). Must
  // not throw.
  std::function<void(std::map<std::string, std::string>& environment)> before_restart;
  // Called as each test starts (on the runner's thread), with when it started (the runner's own
  // time stamp when it gives one, else now): for the live display, and to tell which tests ran
  // after a service died. Optional; must not throw and must return quickly.
  std::function<void(const std::string& test_id, std::chrono::system_clock::time_point started)>
    on_test_started;
  // Called as each test ends, with whether it failed (failed or error; an xfail is not), so that
  // -x stops the rest of the batch at once. Optional; must not throw.
  std::function<void(const std::string& test_id, bool failed)> on_test_finished;
};

struct BatchOutcome
{
  std::vector<TestResult> results;  // one per requested test, in no particular order
  ProcessExit exit;
};

// What every kind of test runner does: collect test ids once, centrally, then run explicit lists of
// them. Adding a runner is one new file implementing this interface plus one line in
// make_test_runner().
class TestRunner
{
public:
  virtual ~TestRunner() = default;

  // The suite's test ids, in the runner's order. Throws UsageError when the runner reports a
  // collection error (with its output).
  virtual std::vector<std::string> collect() = 0;

  // Runs `request.test_ids` (in as few processes as it can, each in its own process group). Every
  // requested test gets a result: a test that runs past `per_test_timeout` is killed (its process
  // group) and failed with "timeout after Ns" and its output so far; a test whose process crashes
  // is failed naming the signal; in both cases the runner goes on with the batch's remaining tests.
  // When the run is interrupted or stopped (SignalState), it returns at once and the tests it did
  // not finish get an error result with the message "interrupted".
  virtual BatchOutcome run_batch(const BatchRequest& request) = 0;
};

// The runner the suite asks for; its temporary files go to `scratch_dir` (a run's folder; empty:
// the system temp dir). Throws UsageError for an unknown runner name.
std::unique_ptr<TestRunner> make_test_runner(const ProjectConfig& project, const SuiteConfig& suite,
                                             const std::filesystem::path& scratch_dir = {});

// Gives every id in `requested` that `reported` lacks an error result saying why (`cause`), so a
// crash never makes a test disappear from the report.
void add_missing_results(const std::vector<std::string>& requested, const std::string& cause,
                         std::vector<TestResult>& reported);

// The bound of the suite's central collection: the suite's `collect_timeout`, else the project's
// (defaults.collect_timeout, 5 minutes unless set).
Milliseconds collect_timeout(const ProjectConfig& project, const SuiteConfig& suite);

// Throws what a collection process that did not succeed means, when it is not the runner's own
// error: InterruptedError (exit 2) when the run was interrupted, UsageError (exit 4) naming
// `collect_timeout` and `where` (what it was collecting, when known) when it ran past it. Returns
// when neither happened.
void throw_if_collection_cut_short(const ProcessExit& exit, const SuiteConfig& suite,
                                   Milliseconds timeout, const std::string& where);

// The failure of the test that `program` ended in the middle of: "crashed: killed by signal 11
// (SIGSEGV)", "crashed: pytest exited with code 3 during this test".
std::string crash_message(const std::string& program, const ProcessExit& exit);

// Appends "orchestrate: <note>" on a line of its own to the shard log, so that a reader of the
// log sees what the runner did between a test runner's lines (a kill, a restart).
void note_in_log(const std::filesystem::path& log_file, const std::string& note);

}  // namespace orchestrate
