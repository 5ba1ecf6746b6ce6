#pragma once

#include "cleanup/ReapSchedule.hpp"
#include "core/Quantities.hpp"
#include "process/Fd.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace orchestrate {

// The reaper: a host-side watchdog process, started before a run creates anything, that removes
// everything labelled with the run's id if the run dies without saying goodbye (kill -9 included).
// It needs no image and no privileged container: it is this binary, re-executed as
// `orchestrate __reaper --run-id ID --lock-dir DIR [--docker-host HOST]`.
//
// The link between the two is one pipe: the reaper's stdin is its read end, the run holds the
// only write end (close-on-exec, so no other child inherits it). The kernel closes that end
// however the run ends, so the reaper reads either "done\n" (the run released it: it exits without
// touching anything) or EOF without it (the run died, or handed its leftovers over: it reaps).
// See docs/cleanup.md.

// How to start the reaper; the defaults are what a run wants.
struct ReaperLaunch
{
  // An `orchestrate` binary. /proc/self/exe is the running one, even if replaced on disk since.
  std::filesystem::path executable = "/proc/self/exe";
  std::string docker_host;                // passed as --docker-host when not empty
  // Passed as --engines-file when not empty: every engine of the run (EngineEndpointFile.hpp),
  // each reaped in parallel; replaces docker_host.
  std::filesystem::path engines_file;
  // The reaper's log; empty: <lock_dir>/reaper-<run_id>.log. A run puts it in its run folder.
  std::filesystem::path log_file;
  // Passed as --give-up-after when set; else the reaper's default (ReapSchedule, or the
  // ORCHESTRATE_REAPER_GIVE_UP_AFTER variable it inherits).
  std::optional<Milliseconds> give_up_after;
  Milliseconds arm_timeout{10'000};       // how long start() waits for the reaper to be armed
};

// The run's side of the reaper: owns the pipe's write end and the reaper's pid. Move-only.
class ReaperGuard
{
public:
  // Starts the reaper for `run_id` in its own session (setsid: Ctrl-C at our terminal does not
  // reach it; stderr goes to its log, launch.log_file) and returns once it is
  // armed: it holds <lock_dir>/reaper-<run_id>.lock and watches its stdin, so even a kill -9
  // right after start() returns gets reaped. Creates lock_dir if missing.
  // Throws UsageError for a run id that is not a file name (letters, digits, '-', '_', '.'),
  // or a lock_dir that cannot be created; InternalError when the reaper cannot be started or does
  // not arm within launch.arm_timeout (the message says so when another reaper already watches
  // this run id).
  static ReaperGuard start(const std::string& run_id, const std::filesystem::path& lock_dir,
                           const ReaperLaunch& launch = {});

  // Tells the reaper the run confirmed that nothing of it is left ("done\n", then closes the
  // pipe): it exits without removing anything. Only call it after that check. Idempotent; never
  // throws, never raises SIGPIPE; does nothing after hand_over().
  void release() noexcept;

  // The run could not confirm that everything of it is gone (the engine does not answer, or
  // refused a removal): closes the pipe without "done", so the reaper removes everything of the
  // run, retrying while the engine does not answer, and outlives this process for that. The
  // guard lets go of the reaper (no wait, no kill). Idempotent; never throws; does nothing after
  // release().
  void hand_over() noexcept;

  // Without release() the removal is unconfirmed: hand_over(). After release(), reaps the
  // released reaper: waits up to 2 s for it to exit, then kills it (it would touch nothing).
  // Never throws.
  ~ReaperGuard();

  ReaperGuard(ReaperGuard&& other) noexcept;
  ReaperGuard& operator=(ReaperGuard&& other) noexcept;
  ReaperGuard(const ReaperGuard&) = delete;
  ReaperGuard& operator=(const ReaperGuard&) = delete;

  // The reaper's pid; 0 for a moved-from guard.
  int pid() const
  {
    return m_pid;
  }

private:
  ReaperGuard(int pid, Fd control, std::string run_id);
  // Releases a guard nobody released or handed over (see ~ReaperGuard), then reaps the reaper.
  void finish() noexcept;
  void reap_child() noexcept;

  int m_pid = 0;
  Fd m_control;  // write end of the reaper's stdin
  std::string m_run_id;
};

// The reaper's main loop (what `orchestrate __reaper` runs), reading fd 0 and signalling
// "armed" by writing one byte to fd 1, which it then points at /dev/null.
//
// Takes the flock on <lock_dir>/reaper-<run_id>.lock and exits at once with
// ExitCode::k_environment_busy (6) if another reaper holds it. Then waits on stdin: on "done\n"
// returns 0 having touched nothing (and removes its lock and log files); on EOF removes every
// container, then network, then volume labelled io.orchestrate.managed=true and
// io.orchestrate.run=<run_id>, scanning again every second until two consecutive scans find
// nothing (compose may still be creating things). While the engine does not answer or refuses a
// removal it keeps trying with backoff (see ReapSchedule), so a run whose engine was killed or
// restarted is cleaned up as soon as the engine is back, for at most schedule.give_up_after.
// Returns 0 when nothing is left, 3 (internal error) when something could not be removed in time.
// Logs what it did to `log_file` (empty: <lock_dir>/reaper-<run_id>.log) and keeps it when it
// reaped. Ignores SIGINT, SIGHUP and SIGPIPE.
// Throws UsageError for an invalid run id or a lock_dir it cannot create or lock in.
// With `engines_file` (EngineEndpointFile.hpp) it reaps every engine listed there, in parallel,
// instead of the one of `docker_host` (empty: the default engine).
int run_reaper(const std::string& run_id, const std::filesystem::path& lock_dir,
               const std::string& docker_host = "", const std::filesystem::path& log_file = {},
               const ReapSchedule& schedule = {},
               const std::filesystem::path& engines_file = {});

// <lock_dir>/reaper-<run_id>.log, the reaper's log when no other is given. Throws UsageError for
// an invalid run id.
std::filesystem::path reaper_log_path(const std::filesystem::path& lock_dir,
                                      const std::string& run_id);

// <lock_dir>/reaper-<run_id>.lock. Throws UsageError for an invalid run id.
std::filesystem::path reaper_lock_path(const std::filesystem::path& lock_dir,
                                       const std::string& run_id);

}  // namespace orchestrate
