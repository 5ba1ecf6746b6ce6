#pragma once

#include "config/ProjectConfig.hpp"
#include "config/SuiteConfig.hpp"
#include "process/ProcessWatcher.hpp"
#include "reporting/TestResult.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

class LineSocket;
struct ParkedPytestWorker;
class PytestPluginDirectory;
class PytestProgressTracker;

// How to start a worker: what PytestRunner passes to every pytest process of a suite.
struct PytestWorkerOptions
{
  std::string python = "/usr/bin/python3";
  std::filesystem::path root;       // the project root: working directory and --rootdir
  std::vector<std::string> args;    // the suite's args, for collection and every test
  std::vector<std::string> paths;   // what to collect, relative to root
  std::filesystem::path log_file;   // the shard log: pytest's stdout and stderr are appended
  std::optional<Milliseconds> per_test_timeout;  // each test's bound, setup to teardown
  Milliseconds collection_timeout{120'000};      // start-up, imports and collection
  // Where its plugin directory (and socket) goes; empty: the system temp dir. See
  // worker_scratch_dir().
  std::filesystem::path scratch_dir;
};

// The options for a suite's worker: the project's interpreter and root, the suite's args and
// paths, and its per-test timeout (nullopt when `timeout` is zero).
PytestWorkerOptions pytest_worker_options(const ProjectConfig& project, const SuiteConfig& suite,
                                          const std::filesystem::path& log_file,
                                          Milliseconds timeout);

// The command line of a worker: pytest with the worker plugin, the suite's args and paths.
std::vector<std::string> pytest_worker_argv(const PytestWorkerOptions& options);

// `run_dir` when a worker's socket made there fits a unix socket path (108 bytes with the plugin
// directory's name), so that even a kill -9 leaves the plugin only in the run's folder; else
// empty (the system temp dir).
std::filesystem::path worker_scratch_dir(const std::filesystem::path& run_dir);

// What a worker did, as next_event() reports it.
struct PytestWorkerEvent
{
  enum class Kind {
    k_collected,  // collection is over: `ids`, `collection_errors` (text per failed module)
    k_started,    // `test_id` began (its setup)
    k_finished,   // `test_id` is over: `result` (also for a test cut short or not collected)
    k_need_more,  // the worker waits for tests; `queued` tests it holds (see submit())
    k_exited,     // the process is gone: `exit`, `cause`, and `ids` it never started
  };

  Kind kind = Kind::k_started;
  std::string test_id;
  TestResult result;
  bool failed = false;  // k_finished: failed or error, not an expected failure (what -x counts)
  std::vector<std::string> ids;
  std::vector<std::string> collection_errors;
  std::size_t queued = 0;
  ProcessExit exit;
  std::string cause;  // k_exited: "shut down", "timeout after 5.00s", "pytest was killed by ..."
  bool expected = false;  // k_exited: after shutdown(), with nothing cut short
};

// One long-lived pytest process that collects once and then runs the node ids it is sent, in
// order, reporting each test as it happens (docs/worker-protocol.md). The commands and events
// travel over a unix socket of its own; the tests' stdout and stderr go to the shard log.
//
// The worker runs a test only once it knows the next one (or that none will come: shutdown()),
// so that a test's teardown keeps the module and session fixtures the next test shares, as
// pytest-xdist does. A caller keeps at least two tests queued, or calls shutdown() when it has
// no more.
//
// Failures: a test running past the per-test timeout has the process group killed and gets a
// failed result "timeout after Ns"; a process that ends in the middle of a test (a signal,
// os._exit) fails that test with "crashed: killed by signal 9 (SIGKILL)" or "crashed: pytest
// exited with code 3 during this test". Either way k_exited follows, naming the tests that were
// queued and never started, for the caller to run elsewhere. A worker never restarts itself.
//
// Owns the process (its group is killed and reaped by the destructor) and the plugin directory.
// Not thread-safe: one shard thread drives it.
class PytestWorker
{
public:
  explicit PytestWorker(PytestWorkerOptions options);
  ~PytestWorker();

  PytestWorker(const PytestWorker&) = delete;
  PytestWorker& operator=(const PytestWorker&) = delete;

  // Starts pytest with `environment` added to ours (the fixtures' variables, seen by the tests'
  // imports). Returns at once: collection is reported later as k_collected. Throws InternalError
  // when the process cannot be started; call at most once.
  void start(const std::map<std::string, std::string>& environment);

  // What adopt() did.
  struct Adoption
  {
    enum class Kind {
      k_adopted,      // it is this worker now; its k_collected is the next event
      k_unavailable,  // nobody listens there, or not the process that was parked
      k_stale,        // it will not serve this run (`reason`) and exits
    };
    Kind kind = Kind::k_unavailable;
    std::string reason;
  };

  // Instead of start(): takes over the warm worker parked beside the stack (ParkedPytestWorker),
  // which imported and collected while no run waited. It is told to write to this worker's log
  // from now on and `run_variables` (this run's values of run_specific_variables()); it checks
  // that nothing it imported or collected changed since. Waits for its answer (it may still be
  // collecting) at most the collection timeout. After k_unavailable or k_stale this object is as
  // before the call: start() may follow. Never throws.
  Adoption adopt(const ParkedPytestWorker& parked,
                 const std::map<std::string, std::string>& run_variables);

  // Queues `ids` to run after those queued before. Ids the worker did not collect come back as
  // k_finished with an error result. Never blocks.
  void submit(const std::vector<std::string>& ids);

  // Asks the worker to run what it has queued and end. Its k_exited then has `expected` set.
  void shutdown();

  // Asks the worker to run what it has queued now, the last test without knowing a next one (so
  // its module and session fixtures are torn down after it), and then to wait for more: for a
  // shard that may not take another test ahead (others need them) but may get one later.
  void flush();

  // Sets these variables in the worker's environment (os.environ) before its next test: for a
  // value known only after the worker started (the shard count, once the tests are selected).
  // Its imports saw the old values; a test that reads them when it runs sees these.
  void set_environment(const std::map<std::string, std::string>& variables);

  // The next event, waiting at most `timeout` for it; nullopt when none came. Enforces the
  // per-test and collection timeouts while it waits. After k_exited it returns nullopt. Never
  // throws.
  std::optional<PytestWorkerEvent> next_event(Milliseconds timeout);

  // Kills the process group now: the running test fails with `reason`; k_exited follows.
  void kill(const std::string& reason);

  // shutdown(), then events until k_exited or `bound` (after which the group is killed). Returns
  // the events, the k_exited last.
  std::vector<PytestWorkerEvent> finish(Milliseconds bound);

  // The collected ids once k_collected has been reported; nullopt before.
  const std::optional<std::vector<std::string>>& collected() const
  {
    return m_collected;
  }
  // Submitted and not started yet, in order.
  const std::deque<std::string>& queued() const
  {
    return m_queued;
  }
  // The test running now (started, not finished); empty when none.
  std::string running() const;
  bool exited() const
  {
    return m_exited;
  }
  int pid() const;

private:
  // Start-up, imports and collection are bounded by the collection timeout.
  void arm_collection_deadline();
  void handle_line(const std::string& line);
  // After the watcher stopped the process (a deadline, kill()): `blamed` was running when it
  // decided.
  void report_stop(const std::string& blamed, const ProcessEnding& ending);
  void report_exit(const ProcessEnding& ending);
  TestResult cut_short(const std::string& message);

  PytestWorkerOptions m_options;
  std::unique_ptr<PytestPluginDirectory> m_plugin;
  std::unique_ptr<LineSocket> m_socket;
  // The process, with the deadline of what it does now: collecting, the running test, ending
  // after it closed its channel. Interrupts are the shard session's to act on (kill()).
  std::optional<ProcessWatcher> m_process;
  std::unique_ptr<PytestProgressTracker> m_tracker;
  std::string m_running_output;  // the running test's captured output, phase by phase
  // With -s: where the running test's output starts in the shard log, and where its last
  // finished phase's ends.
  std::optional<std::uint64_t> m_running_log_begin;
  std::optional<std::uint64_t> m_running_log_end;
  std::deque<PytestWorkerEvent> m_events;
  std::deque<std::string> m_queued;
  std::optional<std::vector<std::string>> m_collected;
  std::optional<std::chrono::steady_clock::time_point> m_closed_at;  // when its socket closed
  std::uint64_t m_log_start = 0;  // the log's size at start(): the process's output begins here
  bool m_shutdown_sent = false;
  bool m_exited = false;
};

}  // namespace orchestrate
