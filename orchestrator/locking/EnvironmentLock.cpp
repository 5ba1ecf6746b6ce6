#include "locking/EnvironmentLock.hpp"

#include "core/Error.hpp"
#include "core/FileText.hpp"
#include "core/OwnedFile.hpp"
#include "locking/OwnerIdentity.hpp"
#include "process/SignalState.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

constexpr Milliseconds k_poll_interval(100);
// A holder writes its info right after taking the lock; a reader that finds the file still
// empty looks once more after this pause.
constexpr Milliseconds k_holder_info_pause(50);
constexpr const char* k_lock_suffix = ".lock";

// The reaper keeps reaper-<run id>.lock beside the environment locks (Reaper.hpp): that prefix is
// not an environment's, so `lock status` can tell the two apart.
constexpr std::string_view k_reaper_prefix = "reaper-";

bool is_valid_environment_name(const std::string& env)
{
  return !env.empty() && env.front() != '.' && !env.starts_with(k_reaper_prefix)
         && std::all_of(env.begin(), env.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'
                     || c == '.';
            });
}

// Our command line, as /proc/self/cmdline has it (arguments joined by spaces).
std::string own_command_line()
{
  std::string text = read_file_text("/proc/self/cmdline").value_or("");
  while (!text.empty() && text.back() == '\0') {
    text.pop_back();
  }
  // One line in the lock file: NULs between arguments and any newline inside one become spaces.
  std::replace_if(
    text.begin(), text.end(), [](char c) { return c == '\0' || c == '\n' || c == '\r'; }, ' ');
  return text;
}

std::string now_iso8601()
{
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string format_holder_file(const LockHolder& holder)
{
  return "pid=" + std::to_string(holder.pid) + "\nhost=" + holder.host
         + "\ncommand=" + holder.command + "\nsince=" + holder.since + "\n";
}

LockHolder parse_holder_file(std::istream& in)
{
  LockHolder holder;
  std::string line;
  while (std::getline(in, line)) {
    auto equals = line.find('=');
    if (equals == std::string::npos) {
      continue;
    }
    std::string key = line.substr(0, equals);
    std::string value = line.substr(equals + 1);
    if (key == "pid") {
      try {
        holder.pid = std::stoi(value);
      } catch (const std::exception&) {
        holder.pid = 0;
      }
    } else if (key == "host") {
      holder.host = value;
    } else if (key == "command") {
      holder.command = value;
    } else if (key == "since") {
      holder.since = value;
    }
  }
  return holder;
}

LockHolder read_holder_file(const std::filesystem::path& path)
{
  std::ifstream file(path);
  LockHolder holder = parse_holder_file(file);
  if (holder.pid == 0) {
    std::this_thread::sleep_for(k_holder_info_pause);
    std::ifstream again(path);
    holder = parse_holder_file(again);
  }
  return holder;
}

// Whether someone holds the lock on `path`, tested on a descriptor of our own that is closed at
// once (so the test never keeps the lock). flock locks belong to open file descriptions, so this
// also sees a lock held by another descriptor of this very process.
bool is_held(const std::filesystem::path& path)
{
  // Other users' locks in a shared lock_dir are listed too, but nothing is followed and nothing
  // but a regular file counts (O_NONBLOCK: a FIFO would block the open).
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK));
  struct stat status{};
  if (!fd || ::fstat(fd.get(), &status) != 0 || !S_ISREG(status.st_mode)) {
    return false;
  }
  // Exclusive, so that shared holders (--reuse runs) count as holders too; dropped at once.
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EINTR) {
      return errno == EWOULDBLOCK;
    }
  }
  return false;
}

std::string describe_holder(const LockHolder& holder)
{
  if (holder.pid == 0) {
    return "a process that did not record who it is";
  }
  std::string text = "pid " + std::to_string(holder.pid) + " on host " + holder.host;
  if (!holder.command.empty()) {
    text += " (`" + holder.command + "`)";
  }
  if (!holder.since.empty()) {
    text += " since " + holder.since;
  }
  return text;
}

void write_holder_info(int fd, const std::filesystem::path& path)
{
  OwnerIdentity owner = current_owner();
  LockHolder holder{owner.pid, owner.host, own_command_line(), now_iso8601()};
  std::string text = format_holder_file(holder);
  if (::ftruncate(fd, 0) != 0
      || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    // Not fatal: the lock itself is held; only `lock status` and waiting runs cannot say who
    // holds it.
    spdlog::warn("cannot write the holder info into {}: {}", path.string(), std::strerror(errno));
  }
}

}  // namespace

EnvironmentLock EnvironmentLock::acquire(const std::filesystem::path& lock_dir,
                                         const std::string& env, Milliseconds timeout,
                                         const std::function<void(const LockHolder&)>& on_wait,
                                         bool shared)
{
  if (!is_valid_environment_name(env)) {
    throw UsageError("invalid environment name '" + env
                     + "': expected letters, digits, '-', '_' or '.', not starting with '.' or "
                       "'reaper-' (the reaper's lock files)");
  }
  return acquire_file(lock_dir, env, env, timeout, on_wait, shared);
}

EnvironmentLock EnvironmentLock::acquire_for_engine(
  const std::filesystem::path& lock_dir, const std::string& env, const std::string& engine_key,
  Milliseconds timeout, const std::function<void(const LockHolder&)>& on_wait, bool shared)
{
  if (!is_valid_environment_name(env) || !is_valid_environment_name(engine_key)) {
    throw UsageError("invalid environment lock name '" + env + "@" + engine_key +
                     "': expected letters, digits, '-', '_' or '.' on each side of '@'");
  }
  return acquire_file(lock_dir, env + "@" + engine_key, env, timeout, on_wait, shared);
}

EnvironmentLock EnvironmentLock::acquire_file(const std::filesystem::path& lock_dir,
                                              const std::string& lock_name, const std::string& env,
                                              Milliseconds timeout,
                                              const std::function<void(const LockHolder&)>& on_wait,
                                              bool shared)
{
  std::error_code error;
  std::filesystem::create_directories(lock_dir, error);
  if (error) {
    throw UsageError("cannot create the lock directory " + lock_dir.string() + ": "
                     + error.message());
  }
  std::filesystem::path path = lock_dir / (lock_name + k_lock_suffix);
  // Never follows a symlink planted at the path, and refuses a file that is not ours.
  Fd fd = open_owned_file(path, O_RDWR | O_CREAT, "lock file");

  auto deadline = Clock::now() + timeout;
  bool announced = false;
  while (true) {
    if (::flock(fd.get(), (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0) {
      // Shared holders each write themselves: the last one is named (`lock status`).
      write_holder_info(fd.get(), path);
      spdlog::debug("took the {} environment lock {}{}", env, path.string(),
                    shared ? " (shared)" : "");
      return EnvironmentLock(std::move(fd), env, path, shared);
    }
    if (errno != EWOULDBLOCK && errno != EINTR) {
      throw InternalError("cannot lock " + path.string() + ": " + std::strerror(errno));
    }
    if (interrupt_count() > 0) {
      throw Error(ExitCode::k_interrupted,
                  "interrupted while waiting for the " + env + " environment lock");
    }
    if (!announced && on_wait) {
      announced = true;
      on_wait(read_holder_file(path));
    }
    auto now = Clock::now();
    if (now >= deadline) {
      throw Error(ExitCode::k_environment_busy,
                  "the " + env + " environment is busy: its lock " + path.string() + " is held by "
                    + describe_holder(read_holder_file(path)) + "; gave up after waiting "
                    + format_seconds(timeout) + " (the lock timeout)");
    }
    std::this_thread::sleep_for(
      std::min<Clock::duration>(k_poll_interval, deadline - now));
  }
}

EnvironmentLock::EnvironmentLock(Fd fd, std::string environment, std::filesystem::path path,
                                 bool shared)
  : m_fd(std::move(fd)),
    m_environment(std::move(environment)),
    m_path(std::move(path)),
    m_shared(shared)
{
}

EnvironmentLock::~EnvironmentLock()
{
  release();
}

EnvironmentLock& EnvironmentLock::operator=(EnvironmentLock&& other) noexcept
{
  if (this != &other) {
    release();
    m_fd = std::move(other.m_fd);
    m_environment = std::move(other.m_environment);
    m_path = std::move(other.m_path);
    m_shared = other.m_shared;
  }
  return *this;
}

void EnvironmentLock::release() noexcept
{
  if (!m_fd) {
    return;
  }
  // Clear the holder info while still holding the lock, so no reader sees it as ours after (a
  // shared holder leaves it: the others may still hold the lock).
  if (!m_shared) {
    [[maybe_unused]] int ignored = ::ftruncate(m_fd.get(), 0);
  }
  m_fd.close();
  spdlog::debug("released the {} environment lock", m_environment);
}

std::vector<std::pair<std::string, LockHolder>> lock_holders(const std::filesystem::path& lock_dir)
{
  std::vector<std::pair<std::string, LockHolder>> holders;
  std::error_code error;
  std::filesystem::directory_iterator entry(lock_dir, error);
  for (; !error && entry != std::filesystem::directory_iterator(); entry.increment(error)) {
    const auto& path = entry->path();
    // Environment locks only: a reaper's lock is held for the whole run, but is no environment.
    if (path.extension() != k_lock_suffix || path.filename().string().starts_with(k_reaper_prefix)
        || !is_held(path)) {
      continue;
    }
    holders.emplace_back(path.stem().string(), read_holder_file(path));
  }
  std::sort(holders.begin(), holders.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return holders;
}

std::string describe_lock_wait(const std::string& env, const LockHolder& holder,
                               const std::string& engine)
{
  return "waiting for the " + env + " environment lock" +
         (engine.empty() ? std::string() : " of engine " + engine) + " held by pid " +
         std::to_string(holder.pid) +
         " (" + holder.host + ", `" + holder.command + "`, since " + holder.since + ")";
}

}  // namespace orchestrate
