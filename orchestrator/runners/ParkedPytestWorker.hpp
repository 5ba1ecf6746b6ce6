#pragma once

#include "runners/PytestWorker.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace orchestrate {

// A warm pytest worker (docs/warm-stacks.md, "Warm workers"): when a --reuse run returns a stack
// to the pool, it starts the worker the next run would start on that stack, with the same command
// line and environment, in a session of its own. It imports and collects while nobody waits, then
// waits (until the stack's idle deadline) for the run that claims the stack to connect and
// adopt it (PytestWorker::adopt). Everything of it lives in a folder of its own beside the stack's
// pool record, `worker-<random>`, which the symlink `worker` names once it is parked: the plugin
// modules, worker.sock, worker.log (its output until adopted), worker.exit (how it ended, from its
// waiter), worker.ready (written once it has collected) and parked.json (what it was started
// with).

// The variables that differ from run to run on the same stack: an adopting run sends its own
// values before the first test. A parked worker whose imports read one of them cannot serve
// another run and says so (the plugin watches os.environ while it imports and collects).
const std::set<std::string>& run_specific_variables();

struct ParkedPytestWorker
{
  std::filesystem::path directory;
  std::string escape_token;  // in its environment and its children's (EscapedProcesses)
  // Its waiter (spawn_detached), which leads its session: pid and start time (ProcStat), which
  // prove that the process found later is the one parked.
  int waiter_pid = 0;
  std::uint64_t waiter_start_ticks = 0;
  // What it was started with: the options' python, root, args, paths, and its environment.
  PytestWorkerOptions options;
  std::map<std::string, std::string> environment;

  std::filesystem::path socket() const
  {
    return directory / "worker.sock";
  }
  std::filesystem::path exit_status_file() const
  {
    return directory / "worker.exit";
  }
  std::filesystem::path ready_file() const
  {
    return directory / "worker.ready";
  }
};

// Starts a parked worker in a new folder beside `link` and points `link` at it, removing the
// folders of the workers parked before but the last (which may still run, adopted); the worker
// waits for adoption until `idle_until` (unix seconds). It does not stop a worker parked before. Returns it; nullopt (with the reason logged at debug level) when
// it cannot be parked there (python not found, a start that fails).
// Never throws.
std::optional<ParkedPytestWorker> park_pytest_worker(const PytestWorkerOptions& options,
                                                     const std::map<std::string, std::string>& environment,
                                                     const std::filesystem::path& link,
                                                     long long idle_until) noexcept;

// The worker parked behind `link` (or in that folder), as its parked.json describes it, with
// `directory` its own folder; nullopt when there is none. Never throws.
std::optional<ParkedPytestWorker> find_parked_worker(const std::filesystem::path& directory) noexcept;

// Whether `parked` was started as a worker with `options` and `environment` would be, apart from
// the run-specific variables; when not, the first difference ("the suite's args", "POSTGRES_PORT").
std::optional<std::string> parked_worker_difference(const ParkedPytestWorker& parked,
                                                    const PytestWorkerOptions& options,
                                                    const std::map<std::string, std::string>& environment);

// Ends the worker parked with `escape_token` and everything it started. Never throws.
void stop_parked_worker(const std::string& escape_token) noexcept;

}  // namespace orchestrate
