#pragma once

#include "core/Quantities.hpp"
#include "process/Fd.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace orchestrate {

// Who holds an environment lock, as the holder wrote it into the lock file. pid 0 when the
// holder recorded nothing (e.g. a `flock` command holds it, or it is just being taken).
struct LockHolder
{
  int pid = 0;
  std::string host;
  std::string command;  // the holder's command line
  std::string since;    // ISO-8601 UTC, e.g. "2024-05-01T12:00:00Z"
};

// One lock per environment ("test", "dev", ...), so two runs never share one environment's
// resources while runs in different environments go side by side.
//
// It is flock(2) on `<lock_dir>/<env>.lock`: the kernel releases it when the holder's process
// ends however it ends (kill -9 included), so there are no stale locks to guess about. The lock
// descriptor is close-on-exec, so a child that outlives us does not keep the lock. Lock files are
// never deleted (deleting one that someone waits on would let two holders in).
//
// RAII and move-only: the destructor releases the lock (and clears the holder info).
class EnvironmentLock
{
public:
  // Takes the lock of `env` in `lock_dir` (created if missing), waiting up to `timeout`: polls
  // every 100 ms and calls `on_wait` once, when it first finds the lock held, so the caller can
  // say who holds it. Then records this process as the holder in the lock file.
  //
  // Throws Error(ExitCode::k_environment_busy) naming the env, the holder (pid, host, command,
  // since) and the timeout when the lock stays held; Error(ExitCode::k_interrupted) if
  // interrupt_count() > 0 while waiting; UsageError if `env` is not a valid name (letters,
  // digits, '-', '_', '.', not starting with '.' nor with "reaper-", which the reaper's lock
  // files use) or lock_dir/the lock file cannot be created, or when the lock file is refused: a
  // symbolic link, not a regular file, or not owned by the effective user (open_owned_file).
  //
  // With `shared`, the lock is taken in shared mode (flock LOCK_SH): --reuse runs, which each work
  // on stacks they claimed one by one (pool/StackClaim.hpp), go side by side, while a run that
  // takes the lock exclusively (the default) waits for all of them and they for it.
  static EnvironmentLock acquire(const std::filesystem::path& lock_dir, const std::string& env,
                                 Milliseconds timeout,
                                 const std::function<void(const LockHolder&)>& on_wait = {},
                                 bool shared = false);

  // The same for `env` on one Docker engine (docs/scale-out.md): the lock file is
  // `<lock_dir>/<env>@<engine_key>.lock`, `engine_key` made of the characters an environment
  // name may have (EngineLocks.hpp makes it from the engine's ID). Throws as acquire().
  static EnvironmentLock acquire_for_engine(const std::filesystem::path& lock_dir,
                                            const std::string& env, const std::string& engine_key,
                                            Milliseconds timeout,
                                            const std::function<void(const LockHolder&)>& on_wait,
                                            bool shared);

  ~EnvironmentLock();
  EnvironmentLock(EnvironmentLock&& other) noexcept = default;
  // Releases the lock held by this object, then takes over `other`'s.
  EnvironmentLock& operator=(EnvironmentLock&& other) noexcept;
  EnvironmentLock(const EnvironmentLock&) = delete;
  EnvironmentLock& operator=(const EnvironmentLock&) = delete;

  // The environment name this lock is for.
  const std::string& environment() const
  {
    return m_environment;
  }

  // The lock file.
  const std::filesystem::path& path() const
  {
    return m_path;
  }

private:
  EnvironmentLock(Fd fd, std::string environment, std::filesystem::path path, bool shared);
  // Takes the lock file `lock_name`.lock in `lock_dir` for `env` (both checked by the caller).
  static EnvironmentLock acquire_file(const std::filesystem::path& lock_dir,
                                      const std::string& lock_name, const std::string& env,
                                      Milliseconds timeout,
                                      const std::function<void(const LockHolder&)>& on_wait,
                                      bool shared);
  void release() noexcept;

  Fd m_fd;
  std::string m_environment;
  std::filesystem::path m_path;
  bool m_shared = false;
};

// The current holder of each environment's lock in `lock_dir`: only locks held right now, sorted
// by environment name. Reading never keeps a lock (a free one is taken and dropped at once, to
// test it). The reaper's reaper-<run id>.lock files are not environment locks and are left out;
// so are symlinks and anything but a regular file. Empty if lock_dir does not exist; unreadable
// entries are skipped. Never throws.
std::vector<std::pair<std::string, LockHolder>> lock_holders(const std::filesystem::path& lock_dir);

// What to tell a user who waits for `env`'s lock: "waiting for the test environment lock held by
// pid N (host, `command`, since T)"; with `engine`, "... lock of engine tls held by ...". One
// place, so every command says it the same way.
std::string describe_lock_wait(const std::string& env, const LockHolder& holder,
                               const std::string& engine = "");

}  // namespace orchestrate
