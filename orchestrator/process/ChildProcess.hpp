#pragma once

#include "core/Quantities.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// How a child ended.
struct ProcessExit
{
  int exit_code = 0;      // WEXITSTATUS when it exited; 128+signal when killed by a signal
  int signal = 0;         // the signal that killed it, 0 if it exited
  bool timed_out = false; // we killed it because its deadline passed
  bool interrupted = false; // we killed it because the run was interrupted (see SignalState)

  bool succeeded() const
  {
    return exit_code == 0 && signal == 0 && !timed_out && !interrupted;
  }
};

struct ProcessOptions
{
  std::vector<std::string> argv;                  // argv[0] is looked up on PATH if not a path
  std::filesystem::path working_directory;        // empty: inherit
  std::map<std::string, std::string> extra_environment;  // added to (and overriding) ours
  std::filesystem::path output_file;              // stdout+stderr appended here; empty: /dev/null
  bool capture_output = false;                    // also keep stdout+stderr for output()
  // Also end, when the child is stopped or destroyed, every process it started that left its
  // process group (setsid, a double fork): found by a token in their environment
  // (EscapedProcesses.hpp). For test runners, whose tests may start daemons.
  bool end_escaped = false;
};

// A child process started in its own process group (setpgid(0, 0) in the child), so that stopping
// it stops everything it started (compose, pytest and their children), never a shell string.
//
// Owns the child: the destructor stops the whole group (SIGTERM, then SIGKILL after a bound) and
// reaps it, so no path leaks a process. Move-only. Every spawn and kill is logged at debug level
// as `[pid: N, command: ...]`.
class ChildProcess
{
public:
  // Starts the child. Throws InternalError when it cannot be started (e.g. argv[0] not found,
  // not executable, working_directory missing, output_file not writable).
  explicit ChildProcess(const ProcessOptions& options);
  // Stops the group unless the child has ended and nothing of its group still runs: SIGTERM,
  // SIGKILL after 1 s, then at most 2 s more. With end_escaped, then kills what escaped the
  // group. Never throws.
  ~ChildProcess();

  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The child's pid, which is also its process group id; 0 for a moved-from object.
  int pid() const;

  // Waits for the child to end, at most `timeout` (nullopt: no deadline). Returns early, killing
  // the group, when the deadline passes (timed_out) or when SignalState reports an interrupt and
  // `stop_on_interrupt` is true (interrupted). Never throws.
  ProcessExit wait(std::optional<Milliseconds> timeout = std::nullopt,
                   bool stop_on_interrupt = true);

  // Non-blocking: the exit if the child has ended, nullopt while it runs.
  std::optional<ProcessExit> poll();

  // Sends SIGTERM to the group, waits up to `grace`, then SIGKILL, then reaps. Idempotent. The
  // group is signalled even after the child itself has exited: what it started may live on.
  void stop(Milliseconds grace = Milliseconds(2000));

  // stdout+stderr so far when capture_output was set (also what was written to output_file:
  // only this child's part of it, which starts at the file's size when the child started).
  // Empty without capture_output. Never throws.
  std::string output() const;

private:
  struct State;
  std::unique_ptr<State> m_state;
};

// argv[0] as execve needs it: unchanged when it names a path, else looked up on the PATH the
// child would get (options.extra_environment may override ours); empty when not found.
std::filesystem::path find_program(const ProcessOptions& options);

// Runs argv to completion and returns its exit and captured stdout+stderr. For short commands
// (`docker compose config`, `pytest --collect-only`). Throws InternalError if it cannot start.
struct CommandOutput
{
  ProcessExit exit;
  std::string output;
};
CommandOutput run_command(const ProcessOptions& options,
                          std::optional<Milliseconds> timeout = std::nullopt);

}  // namespace orchestrate
