#pragma once

#include "core/Quantities.hpp"
#include "process/ChildProcess.hpp"
#include "process/Fd.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace orchestrate {

// A process this one did not start but now drives: a warm pytest worker that an earlier run
// parked beside its stack (spawn_detached with a waiter). It is nobody's child we could wait for,
// so its end is seen through a pidfd (which, unlike a pid, cannot come to name another process)
// and how it ended is read from the file its waiter writes. Stopping it signals its process
// group (the waiter's session) and then ends what carries its escape token, as ChildProcess does
// for its own children.
//
// Owns the process from adopt() on: the destructor stops it unless it has ended. Move-only; not
// thread-safe.
class AdoptedProcess
{
public:
  // Takes over the detached program whose waiter (spawn_detached) is `waiter_pid` and started at
  // `waiter_start_ticks` (ProcStat: proof that it is the process parked, not one that got its pid
  // since): nullopt when it is gone or another. `exit_status_file` is where the waiter writes how
  // the program ended; `escape_token` is in the program's environment and its children's.
  static std::optional<AdoptedProcess> adopt(int waiter_pid, std::uint64_t waiter_start_ticks,
                                             std::filesystem::path exit_status_file,
                                             std::string escape_token);

  AdoptedProcess(AdoptedProcess&&) noexcept;
  AdoptedProcess& operator=(AdoptedProcess&&) noexcept;
  AdoptedProcess(const AdoptedProcess&) = delete;
  AdoptedProcess& operator=(const AdoptedProcess&) = delete;
  ~AdoptedProcess();

  // The waiter's pid, which leads the program's process group and session.
  int pid() const
  {
    return m_pid;
  }

  // Non-blocking: how it ended once it has (its waiter's word, or "killed by SIGKILL" when the
  // waiter went with it), nullopt while it runs.
  std::optional<ProcessExit> poll();

  // SIGTERM to its group, SIGKILL after `grace`; then ends what left the group with its token.
  // Idempotent.
  void stop(Milliseconds grace);

private:
  AdoptedProcess(int pid, int group, Fd pidfd, std::filesystem::path exit_status_file,
                 std::string escape_token);
  bool ended();

  int m_pid = 0;
  int m_group = 0;
  Fd m_pidfd;
  std::filesystem::path m_exit_status_file;
  std::string m_escape_token;
  std::optional<ProcessExit> m_exit;
  bool m_stopped = false;
};

}  // namespace orchestrate
