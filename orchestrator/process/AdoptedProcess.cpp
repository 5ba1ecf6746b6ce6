#include "process/AdoptedProcess.hpp"

#include "process/DetachedSpawn.hpp"
#include "process/EscapedProcesses.hpp"
#include "process/ProcStat.hpp"

#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

constexpr Milliseconds k_poll_interval(10);
// After SIGKILL the group is gone at once; this only bounds a process stuck in the kernel.
constexpr Milliseconds k_kill_bound(2000);
// Its waiter writes the exit file right after the program ends: how long to wait for it.
constexpr Milliseconds k_exit_file_wait(1000);
constexpr Milliseconds k_destructor_grace(1000);

}  // namespace

std::optional<AdoptedProcess> AdoptedProcess::adopt(int waiter_pid,
                                                    std::uint64_t waiter_start_ticks,
                                                    std::filesystem::path exit_status_file,
                                                    std::string escape_token)
{
  if (waiter_pid <= 1 || escape_token.empty()) {
    return std::nullopt;
  }
  // The pidfd first, then the check: once it is open it names this process even if it ends and
  // its pid is reused, so what the check saw is what we hold.
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, waiter_pid, 0)));
  const auto stat = read_proc_stat(waiter_pid);
  if (!pidfd || !stat || !stat->is_running() || stat->start_ticks != waiter_start_ticks ||
      stat->process_group != waiter_pid) {
    return std::nullopt;
  }
  // The waiter leads the session and the group of the program.
  return AdoptedProcess(waiter_pid, waiter_pid, std::move(pidfd), std::move(exit_status_file),
                        std::move(escape_token));
}

AdoptedProcess::AdoptedProcess(int pid, int group, Fd pidfd,
                               std::filesystem::path exit_status_file, std::string escape_token)
  : m_pid(pid),
    m_group(group),
    m_pidfd(std::move(pidfd)),
    m_exit_status_file(std::move(exit_status_file)),
    m_escape_token(std::move(escape_token))
{
  spdlog::debug("[pid: {}] adopted (process group {})", m_pid, m_group);
}

AdoptedProcess::AdoptedProcess(AdoptedProcess&& other) noexcept
  : m_pid(std::exchange(other.m_pid, 0)),
    m_group(std::exchange(other.m_group, 0)),
    m_pidfd(std::move(other.m_pidfd)),
    m_exit_status_file(std::move(other.m_exit_status_file)),
    m_escape_token(std::move(other.m_escape_token)),
    m_exit(std::move(other.m_exit)),
    m_stopped(other.m_stopped)
{
}

AdoptedProcess& AdoptedProcess::operator=(AdoptedProcess&& other) noexcept
{
  if (this != &other) {
    if (m_pid > 0) {
      stop(k_destructor_grace);
    }
    m_pid = std::exchange(other.m_pid, 0);
    m_group = std::exchange(other.m_group, 0);
    m_pidfd = std::move(other.m_pidfd);
    m_exit_status_file = std::move(other.m_exit_status_file);
    m_escape_token = std::move(other.m_escape_token);
    m_exit = std::move(other.m_exit);
    m_stopped = other.m_stopped;
  }
  return *this;
}

AdoptedProcess::~AdoptedProcess()
{
  if (m_pid > 0) {
    stop(k_destructor_grace);
  }
}

bool AdoptedProcess::ended()
{
  if (!m_pidfd) {
    return true;
  }
  pollfd watched{};
  watched.fd = m_pidfd.get();
  watched.events = POLLIN;
  return ::poll(&watched, 1, 0) > 0;
}

std::optional<ProcessExit> AdoptedProcess::poll()
{
  if (m_exit) {
    return m_exit;
  }
  if (!ended()) {
    return std::nullopt;
  }
  const auto give_up = Clock::now() + k_exit_file_wait;
  std::optional<DetachedExit> told;
  while (!(told = read_detached_exit(m_exit_status_file)) && Clock::now() < give_up &&
         !running_group_members(m_group).empty()) {
    std::this_thread::sleep_for(k_poll_interval);
  }
  if (!told) {
    told = read_detached_exit(m_exit_status_file);
  }
  ProcessExit exit;
  if (told) {
    exit.exit_code = told->exit_code;
    exit.signal = told->signal;
  } else {
    // Its waiter went with it (a SIGKILL to the whole group): nobody saw how it ended.
    exit.signal = SIGKILL;
    exit.exit_code = 128 + SIGKILL;
  }
  spdlog::debug("[pid: {}] adopted process ended (exit code {}, signal {})", m_pid,
                exit.exit_code, exit.signal);
  m_exit = exit;
  return m_exit;
}

void AdoptedProcess::stop(Milliseconds grace)
{
  if (m_pid <= 0 || m_stopped) {
    return;
  }
  m_stopped = true;
  const auto group_running = [this] { return !running_group_members(m_group).empty(); };
  const auto wait_until_gone = [&](Clock::time_point deadline) {
    while ((!ended() || group_running()) && Clock::now() < deadline) {
      std::this_thread::sleep_for(k_poll_interval);
    }
    return ended() && !group_running();
  };
  if (!ended() || group_running()) {
    spdlog::debug("[pid: {}] sending SIGTERM to adopted process group {}", m_pid, m_group);
    ::kill(-m_group, SIGTERM);
    if (!wait_until_gone(Clock::now() + grace)) {
      ::kill(-m_group, SIGKILL);
      if (!wait_until_gone(Clock::now() + k_kill_bound)) {
        spdlog::warn("[pid: {}] adopted process still not gone {} ms after SIGKILL", m_pid,
                     k_kill_bound.count());
      }
    }
  }
  end_processes_with_token(m_escape_token);
  poll();
}

}  // namespace orchestrate
