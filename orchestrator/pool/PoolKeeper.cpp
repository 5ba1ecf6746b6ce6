#include "pool/PoolKeeper.hpp"

#include "core/Error.hpp"
#include "core/OwnedFile.hpp"
#include "process/DetachedSpawn.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace orchestrate {

namespace {

constexpr Milliseconds k_shortest_pause(200);

std::optional<Fd> try_lock(const std::filesystem::path& path)
{
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  Fd fd = open_owned_file(path, O_RDWR | O_CREAT, "pool keeper lock file");
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EINTR) {
      return std::nullopt;
    }
  }
  return fd;
}

void log_line(const std::string& text)
{
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  std::fprintf(stderr, "%s pool keeper %d: %s\n", stamp, static_cast<int>(::getpid()),
               text.c_str());
  std::fflush(stderr);
}

// How long to sleep: until the earliest deadline, at most `poll` (a claimed stack can be let go
// at any moment, its deadline already past).
Milliseconds pause_for(const PoolSweepResult& result, Milliseconds poll)
{
  if (!result.next_deadline) {
    return poll;
  }
  const auto deadline = std::chrono::system_clock::time_point(std::chrono::seconds(*result.next_deadline));
  const auto until = std::chrono::duration_cast<Milliseconds>(deadline - std::chrono::system_clock::now());
  return std::clamp(until, k_shortest_pause, poll);
}

}  // namespace

std::filesystem::path pool_keeper_lock_path(const PoolPlace& place)
{
  return place.lock_dir / "pool-keeper" / (place.environment + ".lock");
}

int run_pool_keeper(const PoolPlace& place, Milliseconds poll, Milliseconds give_up_after)
{
  for (int signal_number : {SIGINT, SIGHUP, SIGPIPE}) {
    std::signal(signal_number, SIG_IGN);
  }
  auto lock = try_lock(pool_keeper_lock_path(place));
  if (!lock) {
    return 0;  // another keeper owns this pool
  }
  log_line("keeping the " + place.environment + " pool of " + place.project_prefix);
  DockerEngine engine;
  auto last_answer = std::chrono::steady_clock::now();
  while (true) {
    PoolSweepResult result;
    try {
      result = sweep_pool(engine, place, std::chrono::system_clock::now(), false);
      last_answer = std::chrono::steady_clock::now();
    } catch (const std::exception& error) {
      if (std::chrono::steady_clock::now() - last_answer > give_up_after) {
        log_line(std::string("giving up, the engine does not answer: ") + error.what());
        return to_int(ExitCode::k_internal_error);
      }
      log_line(std::string("cannot sweep the pool now: ") + error.what());
      std::this_thread::sleep_for(poll);
      continue;
    }
    for (const auto& removed : result.removed) {
      log_line("removed " + removed);
    }
    for (const auto& failure : result.failures) {
      log_line("could not remove " + failure);
    }
    if (result.remaining == 0) {
      // A run may have returned a stack after the sweep while it still saw this keeper's lock
      // and so started none: let go, look once more, and take over again if needed.
      lock.reset();
      bool empty = true;
      try {
        empty = list_pool_stacks(engine, place).empty();
      } catch (const std::exception&) {
        empty = true;  // the backstop (cleanup) or the next run's keeper takes it from here
      }
      if (empty || !(lock = try_lock(pool_keeper_lock_path(place)))) {
        log_line("the pool is empty; exiting");
        return 0;
      }
      continue;
    }
    std::this_thread::sleep_for(pause_for(result, poll));
  }
}

void ensure_pool_keeper(const PoolPlace& place) noexcept
{
  try {
    if (!try_lock(pool_keeper_lock_path(place))) {
      return;  // one runs
    }
    // The lock we just tested is dropped here; the keeper takes it itself (a second keeper that
    // lost the race exits at once).
    std::error_code error;
    std::filesystem::create_directories(place.pool_dir, error);
    Fd log = open_owned_file(place.pool_dir / "keeper.log", O_WRONLY | O_CREAT | O_APPEND,
                             "pool keeper log");
    DetachedSpawn spawn;
    spawn.argv = {"/proc/self/exe", "__pool-keeper",          "--prefix",
                  place.project_prefix, "--env",             place.environment,
                  "--pool-dir",      place.pool_dir.string(), "--lock-dir",
                  place.lock_dir.string()};
    spawn.stderr_fd = log.get();
    // Its own session: Ctrl-C at our terminal and our process group's signals miss it.
    const int pid = spawn_detached(spawn);
    spdlog::debug("[pid: {}, command: orchestrate __pool-keeper --env {}] pool keeper started", pid,
                  place.environment);
  } catch (const std::exception& error) {
    spdlog::warn("could not start the pool keeper ({}); `orchestrate cleanup` removes expired warm "
                 "stacks",
                 error.what());
  }
}

}  // namespace orchestrate
