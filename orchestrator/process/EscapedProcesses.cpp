#include "process/EscapedProcesses.hpp"

#include "process/ProcStat.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <dirent.h>
#include <fcntl.h>
#include <mutex>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

// A killed process ends at once unless it is stuck in the kernel (state D).
constexpr std::chrono::milliseconds k_end_bound(2000);
constexpr std::chrono::milliseconds k_poll_interval(10);
// A process forking as fast as we kill could keep us busy forever: a few rounds, then give up.
constexpr int k_max_rounds = 5;

std::once_flag g_subreaper_once;
std::atomic<unsigned long> g_next_token{1};

void become_subreaper()
{
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    spdlog::debug("cannot become a child subreaper: {}", std::strerror(errno));
  }
}

// The whole environment block of `pid`; empty when it is gone or unreadable (read errors mean
// "gone": a process exiting while we read is not an error).
std::string read_environment(int pid)
{
  const std::string path = "/proc/" + std::to_string(pid) + "/environ";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return {};
  }
  std::string text;
  char buffer[16384];
  while (true) {
    const ssize_t count = ::read(fd, buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count <= 0) {
      break;
    }
    text.append(buffer, static_cast<std::size_t>(count));
  }
  ::close(fd);
  return text;
}

bool holds_entry(const std::string& environment, const std::string& entry)
{
  // Entries are NUL-terminated; the match must be a whole entry.
  std::size_t position = 0;
  while ((position = environment.find(entry, position)) != std::string::npos) {
    const bool starts_entry = position == 0 || environment[position - 1] == '\0';
    const std::size_t end = position + entry.size();
    const bool ends_entry = end == environment.size() || environment[end] == '\0';
    if (starts_entry && ends_entry) {
      return true;
    }
    position = end;
  }
  return false;
}

// Waits until `pid` has ended: reaped when it is our child (an orphan that reparented to us), a
// zombie or gone otherwise. Bounded by k_end_bound.
void wait_ended(int pid)
{
  const auto deadline = Clock::now() + k_end_bound;
  while (Clock::now() < deadline) {
    const pid_t reaped = ::waitpid(pid, nullptr, WNOHANG);
    if (reaped == pid || !process_is_running(pid)) {
      if (reaped != pid) {
        ::waitpid(pid, nullptr, WNOHANG);  // became a zombie of ours meanwhile: reap it
      }
      return;
    }
    std::this_thread::sleep_for(k_poll_interval);
  }
  spdlog::warn("escaped process {} still runs {} ms after SIGKILL", pid, k_end_bound.count());
}

}  // namespace

std::string new_process_token()
{
  std::call_once(g_subreaper_once, become_subreaper);
  static const auto self_start = read_proc_stat(static_cast<int>(::getpid()));
  return std::to_string(::getpid()) + "." +
         std::to_string(self_start ? self_start->start_ticks : 0) + "-" +
         std::to_string(g_next_token++);
}

std::vector<int> processes_with_token(const std::string& token)
{
  const std::string entry = std::string(k_process_token_variable) + "=" + token;
  const int self = static_cast<int>(::getpid());
  std::vector<int> found;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) {
    return found;
  }
  while (const dirent* item = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(item->d_name, &end, 10);
    if (end == item->d_name || *end != '\0' || pid <= 0 || pid == self) {
      continue;
    }
    if (holds_entry(read_environment(static_cast<int>(pid)), entry) &&
        process_is_running(static_cast<int>(pid))) {
      found.push_back(static_cast<int>(pid));
    }
  }
  ::closedir(proc);
  return found;
}

int end_processes_with_token(const std::string& token) noexcept
{
  int killed = 0;
  try {
    for (int round = 0; round < k_max_rounds; ++round) {
      const auto pids = processes_with_token(token);
      if (pids.empty()) {
        break;
      }
      for (const int pid : pids) {
        spdlog::debug("[pid: {}] left its process group and outlived its runner: SIGKILL", pid);
        if (::kill(pid, SIGKILL) == 0) {
          ++killed;
        }
      }
      for (const int pid : pids) {
        wait_ended(pid);
      }
    }
  } catch (...) {
    // Only std::bad_alloc can get here; what is left is logged by nobody, but nothing throws.
  }
  return killed;
}

}  // namespace orchestrate
