// The run's side of the reaper: starting it (fork/exec, own session) and releasing it. The
// reaper's own loop is in Reaper.cpp.

#include "cleanup/Reaper.hpp"

#include "core/Error.hpp"
#include "core/ExitCode.hpp"
#include "core/OwnedFile.hpp"
#include "process/DetachedSpawn.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <thread>
#include <vector>

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view k_release_message = "done\n";
constexpr Milliseconds k_exit_wait(2'000);
constexpr Milliseconds k_exit_poll(10);

struct Pipe
{
  Fd read_end;
  Fd write_end;
};

Pipe make_pipe()
{
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw InternalError(std::string("cannot create a pipe for the reaper: ")
                        + std::strerror(errno));
  }
  return {Fd(fds[0]), Fd(fds[1])};
}

// Exit status as a process exit code (128+n for a signal), or -1 if it cannot be had.
int exit_code_of(int status)
{
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return -1;
}

// Waits up to `timeout` for `pid` to exit, then kills it. Returns its exit code, or -1 when it
// was already reaped elsewhere (e.g. SIGCHLD ignored).
int reap_within(int pid, Milliseconds timeout)
{
  const auto deadline = Clock::now() + timeout;
  int status = 0;
  while (true) {
    pid_t result = ::waitpid(pid, &status, WNOHANG);
    if (result == pid) {
      return exit_code_of(status);
    }
    if (result < 0 && errno != EINTR) {
      return -1;
    }
    if (Clock::now() >= deadline) {
      break;
    }
    std::this_thread::sleep_for(k_exit_poll);
  }
  spdlog::debug("[pid: {}, command: orchestrate __reaper] did not exit in time: SIGKILL", pid);
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return -1;
    }
  }
  return exit_code_of(status);
}

// Waits for the armed byte on `armed`. True when it came; false on EOF (the reaper exited) or
// when `timeout` passed.
bool wait_until_armed(const Fd& armed, Milliseconds timeout)
{
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<Milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd entry{armed.get(), POLLIN, 0};
    int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      return false;
    }
    char byte = 0;
    ssize_t count = ::read(armed.get(), &byte, 1);
    if (count < 0 && errno == EINTR) {
      continue;
    }
    return count == 1;
  }
}

// Writes `text` to `fd` without SIGPIPE killing us when the reader is gone: SIGPIPE is blocked in
// this thread for the write, and a SIGPIPE it raised is taken off the pending set again.
void write_without_sigpipe(int fd, std::string_view text) noexcept
{
  sigset_t sigpipe_only;
  sigset_t previous;
  sigemptyset(&sigpipe_only);
  sigaddset(&sigpipe_only, SIGPIPE);
  sigset_t pending;
  sigemptyset(&pending);
  ::sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  ::pthread_sigmask(SIG_BLOCK, &sigpipe_only, &previous);
  ssize_t written;
  do {
    written = ::write(fd, text.data(), text.size());
  } while (written < 0 && errno == EINTR);
  if (written < 0 && errno == EPIPE && !was_pending) {
    const timespec no_wait{0, 0};
    ::sigtimedwait(&sigpipe_only, nullptr, &no_wait);
  }
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

}  // namespace

ReaperGuard ReaperGuard::start(const std::string& run_id, const std::filesystem::path& lock_dir,
                               const ReaperLaunch& launch)
{
  const auto directory = std::filesystem::absolute(lock_dir);
  const auto default_log = reaper_log_path(directory, run_id);  // checks the run id
  const auto log_path =
    launch.log_file.empty() ? default_log : std::filesystem::absolute(launch.log_file);
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    throw UsageError("cannot create the lock directory " + directory.string() + ": "
                     + error.message());
  }
  Fd log = open_owned_file(log_path, O_WRONLY | O_CREAT | O_APPEND, "reaper log");
  Pipe control = make_pipe();
  Pipe armed = make_pipe();

  std::vector<std::string> arguments{launch.executable.string(), "__reaper", "--run-id", run_id,
                                     "--lock-dir", directory.string()};
  if (!launch.docker_host.empty()) {
    arguments.insert(arguments.end(), {"--docker-host", launch.docker_host});
  }
  if (!launch.engines_file.empty()) {
    arguments.insert(arguments.end(), {"--engines-file", launch.engines_file.string()});
  }
  if (!launch.log_file.empty()) {
    arguments.insert(arguments.end(), {"--log-file", log_path.string()});
  }
  if (launch.give_up_after) {
    arguments.insert(arguments.end(),
                     {"--give-up-after", std::to_string(launch.give_up_after->count()) + "ms"});
  }
  DetachedSpawn spawn;
  spawn.argv = std::move(arguments);
  spawn.stdin_fd = control.read_end.get();
  spawn.stdout_fd = armed.write_end.get();
  spawn.stderr_fd = log.get();
  // Its own session: no terminal signals, and not in any process group we stop. Nothing else of
  // ours lives on in it (an inherited pipe end would keep a reader of ours from seeing EOF for
  // the whole run).
  const pid_t pid = spawn_detached(spawn);
  spdlog::debug("[pid: {}, command: {} __reaper --run-id {}] reaper started", pid,
                launch.executable.string(), run_id);
  control.read_end.close();
  armed.write_end.close();
  log.close();

  if (!wait_until_armed(armed.read_end, launch.arm_timeout)) {
    // A reaper that closed its stdout is exiting: give it a moment so its exit code tells why.
    const int exit_code = reap_within(pid, Milliseconds(1'000));
    if (exit_code == to_int(ExitCode::k_environment_busy)) {
      throw InternalError("another reaper already watches run " + run_id + " (its lock "
                          + reaper_lock_path(directory, run_id).string() + " is held)");
    }
    throw InternalError("the reaper for run " + run_id + " did not arm within "
                        + format_seconds(launch.arm_timeout) + " (exit code "
                        + std::to_string(exit_code) + "); see " + log_path.string());
  }
  spdlog::debug("reaper {} armed for run {}", pid, run_id);
  return ReaperGuard(pid, std::move(control.write_end), run_id);
}

ReaperGuard::ReaperGuard(int pid, Fd control, std::string run_id)
  : m_pid(pid),
    m_control(std::move(control)),
    m_run_id(std::move(run_id))
{
}

ReaperGuard::ReaperGuard(ReaperGuard&& other) noexcept
  : m_pid(std::exchange(other.m_pid, 0)),
    m_control(std::move(other.m_control)),
    m_run_id(std::move(other.m_run_id))
{
}

ReaperGuard& ReaperGuard::operator=(ReaperGuard&& other) noexcept
{
  if (this != &other) {
    finish();
    m_pid = std::exchange(other.m_pid, 0);
    m_control = std::move(other.m_control);
    m_run_id = std::move(other.m_run_id);
  }
  return *this;
}

ReaperGuard::~ReaperGuard()
{
  finish();
}

void ReaperGuard::finish() noexcept
{
  // Still open: nobody confirmed that the run left nothing, so the reaper makes sure.
  hand_over();
  reap_child();
}

void ReaperGuard::hand_over() noexcept
{
  if (!m_control) {
    return;
  }
  m_control.close();
  spdlog::debug("handed the leftovers of run {} over to its reaper (pid {})", m_run_id, m_pid);
  // It must outlive us to do its job: neither wait for it nor kill it.
  m_pid = 0;
}

void ReaperGuard::release() noexcept
{
  if (!m_control) {
    return;
  }
  write_without_sigpipe(m_control.get(), k_release_message);
  m_control.close();
  spdlog::debug("released the reaper of run {}", m_run_id);
}

void ReaperGuard::reap_child() noexcept
{
  if (m_pid == 0) {
    return;
  }
  reap_within(std::exchange(m_pid, 0), k_exit_wait);
}

}  // namespace orchestrate
