#pragma once

#include "core/Quantities.hpp"
#include "process/AdoptedProcess.hpp"
#include "process/ChildProcess.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <variant>

namespace orchestrate {

// How a watched process ended, and who ended it.
struct ProcessEnding
{
  enum class StoppedBy {
    k_nobody,     // it ended by itself
    k_interrupt,  // the run was interrupted or stopped (should_stop_children())
    k_deadline,   // the deadline its owner armed passed
    k_request,    // its owner called ProcessWatcher::stop()
  };

  // With k_deadline exit.timed_out is set, with k_interrupt exit.interrupted.
  ProcessExit exit;
  StoppedBy stopped_by = StoppedBy::k_nobody;
  // Why we stopped it: the deadline's or stop()'s reason, "interrupted"; empty for k_nobody.
  std::string reason;
  // k_deadline: how long after the deadline's start it was stopped (at least its bound).
  Milliseconds overdue_after{0};

  bool stopped() const
  {
    return stopped_by != StoppedBy::k_nobody;
  }

  // What a report says about it: `reason` when we stopped it, else describe_exit(program, exit)
  // ("pytest was killed by signal 9 (SIGKILL)", "pytest exited with code 3").
  std::string describe(const std::string& program) const;
};

// Whether a watcher stops its process when the run is interrupted or stopped (-x, Ctrl-C).
enum class InterruptPolicy {
  k_stop,    // the watcher stops it (with no grace on a second interrupt)
  k_ignore,  // its owner decides (a long-lived worker that its shard session ends)
};

// One test-runner process from start to end: the loop every runner needs (ninja's
// SubprocessSet::DoWork is the model). It starts the process in its own process group and
// always with the escape token (ProcessOptions::end_escaped: a test's daemons that leave the group
// end with its process, see EscapedProcesses.hpp), and each poll() notices, in this order:
//   1. that it ended by itself;
//   2. an interrupt or stop request (SignalState), unless InterruptPolicy::k_ignore: the group is
//      stopped with the grace, none on a second interrupt;
//   3. that the deadline armed by its owner passed (a test's timeout, armed as the test starts and
//      disarmed as it ends): the group gets SIGTERM, then SIGKILL after the grace.
// Then it returns the one ending that says how, and who stopped it and why.
//
// Owns the process: destroying the watcher stops and reaps the group (~ChildProcess). Move-only;
// not thread-safe (one runner thread drives it).
class ProcessWatcher
{
public:
  using Clock = std::chrono::steady_clock;

  // SIGTERM ends pytest at once, gtest has no handler for it: the grace is for what tests start.
  static constexpr Milliseconds k_default_stop_grace{2000};

  // Starts the process (`options` with end_escaped set). Throws InternalError when it cannot be
  // started (as ChildProcess).
  explicit ProcessWatcher(ProcessOptions options,
                          InterruptPolicy interrupts = InterruptPolicy::k_stop,
                          Milliseconds stop_grace = k_default_stop_grace);
  // Watches a process an earlier run started (a warm pytest worker): the same loop, with its end
  // seen through AdoptedProcess. output() is empty.
  explicit ProcessWatcher(AdoptedProcess process,
                          InterruptPolicy interrupts = InterruptPolicy::k_stop,
                          Milliseconds stop_grace = k_default_stop_grace);

  // The process's pid, also its process group id.
  int pid() const;

  // From now on poll() stops the process once `bound` has passed since `since`, with `reason`
  // as its ending's reason ("timeout after 5.00s"). Replaces the deadline armed before; has no
  // effect once the process has ended.
  void arm_deadline(Clock::time_point since, Milliseconds bound, std::string reason);
  void arm_deadline(Milliseconds bound, std::string reason)
  {
    arm_deadline(Clock::now(), bound, std::move(reason));
  }
  void disarm_deadline();
  // When the armed deadline passes; nullopt when none is armed.
  std::optional<Clock::time_point> deadline() const;

  // Non-blocking, but for the grace when it stops the process: the ending once the process has
  // ended by itself or been stopped (see the class comment), nullopt while it runs. Once it has
  // an ending it returns it again. Never throws.
  std::optional<ProcessEnding> poll();

  // Until the process ends, every `interval`: calls `before_poll` (a runner reads its progress
  // there, reports it and re-arms the deadline for the test now running), then poll(). Returns
  // the ending. Never throws unless `before_poll` does.
  ProcessEnding watch(Milliseconds interval, const std::function<void()>& before_poll);

  // watch() with nothing to do between polls, every 10 ms. Never throws.
  ProcessEnding wait()
  {
    return watch(Milliseconds(10), {});
  }

  // Stops the group now (SIGTERM, SIGKILL after the grace) and returns the ending, with `reason`
  // (StoppedBy::k_request) unless it had already ended. Never throws.
  ProcessEnding stop(const std::string& reason);

  // The ending once poll(), wait() or stop() has seen it; nullopt before.
  const std::optional<ProcessEnding>& ending() const
  {
    return m_ending;
  }

  // The process's output when options.capture_output was set (ChildProcess::output()).
  std::string output() const;

private:
  struct Deadline
  {
    Clock::time_point since;
    Milliseconds bound;
    std::string reason;
  };

  const ProcessEnding& stop_for(ProcessEnding::StoppedBy stopped_by, std::string reason,
                                Milliseconds grace);

  std::variant<ChildProcess, AdoptedProcess> m_process;
  InterruptPolicy m_interrupts;
  Milliseconds m_stop_grace;
  std::optional<Deadline> m_deadline;
  std::optional<ProcessEnding> m_ending;
};

// "killed by signal 6 (SIGABRT)": how a runner names the signal that ended a process.
std::string describe_signal(int signal_number);

// How `program` ended on its own: "pytest was killed by signal 9 (SIGKILL)", "the gtest binary
// exited with code 3".
std::string describe_exit(const std::string& program, const ProcessExit& exit);

}  // namespace orchestrate
