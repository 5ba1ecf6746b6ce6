// The reaper's own side: `orchestrate __reaper`. The run's side (starting it) is ReaperGuard.cpp.

#include "cleanup/Reaper.hpp"

#include "cleanup/StaleVerdict.hpp"
#include "core/Error.hpp"
#include "core/ExitCode.hpp"
#include "core/FdLogSink.hpp"
#include "core/OwnedFile.hpp"
#include "docker/ComposeStack.hpp"
#include "docker/DockerEngine.hpp"
#include "docker/EngineEndpointFile.hpp"
#include "docker/ResourceLabels.hpp"

#include <fcntl.h>
#include <future>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>
#include <thread>

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view k_release_message = "done\n";
constexpr char k_armed_byte = 'A';
constexpr int k_empty_scans_to_finish = 2;

void check_run_id(const std::string& run_id)
{
  const bool valid = !run_id.empty() && run_id.front() != '.' && run_id.size() <= 128
                     && std::all_of(run_id.begin(), run_id.end(), [](char c) {
                          return std::isalnum(static_cast<unsigned char>(c)) || c == '-'
                                 || c == '_' || c == '.';
                        });
  if (!valid) {
    throw UsageError("invalid run id '" + run_id
                     + "': expected letters, digits, '-', '_' or '.', not starting with '.'");
  }
}

std::shared_ptr<spdlog::logger> open_log(const std::filesystem::path& path)
{
  // Opened without following a symlink, and only if it is our own regular file.
  auto sink = std::make_shared<FdLogSink>(
    open_owned_file(path, O_WRONLY | O_APPEND | O_CREAT, "reaper log"));
  // Not registered: the reaper's log must not depend on (or change) the global logger setup.
  auto logger = std::make_shared<spdlog::logger>("reaper", sink);
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e [reaper pid %P] %l: %v");
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  return logger;
}

void ignore_terminal_signals()
{
  // In its own session it gets no Ctrl-C from the terminal; these keep a stray signal to the
  // old process group, or a closed pipe, from killing it in the middle of its one job.
  for (int signal_number : {SIGINT, SIGHUP, SIGPIPE}) {
    std::signal(signal_number, SIG_IGN);
  }
}

// Tells ReaperGuard::start that we are armed, then points stdout at /dev/null so that nothing
// else we write can reach (or block on) the run's pipe.
void announce_armed()
{
  ssize_t written;
  do {
    written = ::write(STDOUT_FILENO, &k_armed_byte, 1);
  } while (written < 0 && errno == EINTR);
  Fd null_device(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  if (null_device) {
    ::dup2(null_device.get(), STDOUT_FILENO);
  }
}

// Blocks until the run releases us (true) or its end of the pipe is closed without a release
// (false): the run died.
bool wait_for_release()
{
  std::string received;
  char buffer[64];
  while (true) {
    ssize_t count = ::read(STDIN_FILENO, buffer, sizeof(buffer));
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count <= 0) {
      // EOF, or an error that leaves us nothing to wait on: either way no release came.
      return false;
    }
    received.append(buffer, static_cast<std::size_t>(count));
    if (received.find(k_release_message) != std::string::npos) {
      return true;
    }
  }
}

// Removes everything of the run, scanning until two consecutive scans find nothing. While the
// engine does not answer or refuses a removal, waits longer between attempts (schedule), until
// schedule.give_up_after. Returns true when nothing is left.
bool reap_run(DockerEngine& engine, const std::string& run_id, const ReapSchedule& schedule,
              spdlog::logger& log)
{
  const std::vector<std::string> filters{label_filter(labels::k_managed, "true"),
                                         label_filter(labels::k_run, run_id)};
  const auto deadline = Clock::now() + schedule.give_up_after;
  int empty_scans = 0;
  bool engine_silent = false;
  Milliseconds delay(0);  // the first pause after a failure is first_retry
  std::vector<std::string> failures;
  while (true) {
    if (!engine.ping()) {
      if (!engine_silent) {
        log.warn("the Docker engine {} at {} does not answer; trying again, less often each "
                 "time, for up to {}",
                 engine.endpoint().name, engine.endpoint().host,
                 format_age(schedule.give_up_after));
      }
      engine_silent = true;
      empty_scans = 0;
      delay = next_retry_delay(delay, schedule);
    } else {
      if (engine_silent) {
        log.info("the Docker engine {} answers again", engine.endpoint().name);
        engine_silent = false;
      }
      failures.clear();
      const auto removed = remove_labelled_resources(engine, filters, failures);
      for (const auto& what : removed) {
        log.info("removed {}", what);
      }
      for (const auto& what : failures) {
        log.warn("could not remove {} (will retry)", what);
      }
      empty_scans = (removed.empty() && failures.empty()) ? empty_scans + 1 : 0;
      if (empty_scans >= k_empty_scans_to_finish) {
        log.info("nothing labelled {}={} is left", labels::k_run, run_id);
        return true;
      }
      delay = failures.empty() ? schedule.first_retry : next_retry_delay(delay, schedule);
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      log.error("gave up after {}: some resources of run {} may remain; `orchestrate cleanup` "
                "removes them (their owner is dead)",
                format_age(schedule.give_up_after), run_id);
      return false;
    }
    // The last attempt falls on the deadline itself.
    std::this_thread::sleep_for(
      std::min<Clock::duration>(delay, deadline - now));
  }
}

}  // namespace

std::filesystem::path reaper_log_path(const std::filesystem::path& lock_dir,
                                      const std::string& run_id)
{
  check_run_id(run_id);
  return lock_dir / ("reaper-" + run_id + ".log");
}

std::filesystem::path reaper_lock_path(const std::filesystem::path& lock_dir,
                                       const std::string& run_id)
{
  check_run_id(run_id);
  return lock_dir / ("reaper-" + run_id + ".lock");
}

int run_reaper(const std::string& run_id, const std::filesystem::path& lock_dir,
               const std::string& docker_host, const std::filesystem::path& log_file,
               const ReapSchedule& schedule, const std::filesystem::path& engines_file)
{
  check_run_id(run_id);
  ignore_terminal_signals();
  const auto directory = std::filesystem::absolute(lock_dir);
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    throw UsageError("cannot create the lock directory " + directory.string() + ": "
                     + error.message());
  }
  const auto lock_path = reaper_lock_path(directory, run_id);
  const auto log_path =
    log_file.empty() ? reaper_log_path(directory, run_id) : std::filesystem::absolute(log_file);
  Fd lock = open_owned_file(lock_path, O_RDWR | O_CREAT, "reaper lock file");
  auto log = open_log(log_path);
  while (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EINTR) {
      log->warn("another reaper already watches run {} ({} is locked); exiting", run_id,
                lock_path.string());
      return to_int(ExitCode::k_environment_busy);
    }
  }
  // Keep no directory busy for the life of the run.
  [[maybe_unused]] int ignored = ::chdir("/");
  log->info("armed for run {} (parent pid {})", run_id, ::getppid());
  announce_armed();

  if (wait_for_release()) {
    // A clean run leaves no trace: the files only matter when something was reaped. Unlinked
    // while we still hold the lock, so no second reaper can take it in between.
    log.reset();
    std::filesystem::remove(log_path, error);
    std::filesystem::remove(lock_path, error);
    return 0;
  }
  log->warn("the run ended without confirming that nothing of it is left (it died, or could not "
            "remove everything): removing everything labelled {}={}",
            labels::k_run, run_id);
  const auto started = Clock::now();
  std::vector<EngineEndpoint> endpoints;
  if (!engines_file.empty()) {
    endpoints = read_engine_endpoints(engines_file);
  } else {
    endpoints.push_back(docker_host.empty() ? DockerEngine().endpoint()
                                            : DockerEngine(docker_host).endpoint());
  }
  // Each engine on a thread of its own: one that does not answer must not delay the others.
  std::vector<std::future<bool>> reaped;
  for (const auto& endpoint : endpoints) {
    reaped.push_back(std::async(std::launch::async, [&, endpoint]() noexcept {
      try {
        DockerEngine engine(endpoint);
        return reap_run(engine, run_id, schedule, *log);
      } catch (const std::exception& error) {
        log->error("engine {}: {}", endpoint.name, error.what());
        return false;
      }
    }));
  }
  bool clean = true;
  for (auto& result : reaped) {
    clean = result.get() && clean;
  }
  log->info("done in {}",
            format_seconds(std::chrono::duration_cast<Milliseconds>(Clock::now() - started)));
  std::filesystem::remove(lock_path, error);
  return to_int(clean ? ExitCode::k_all_passed : ExitCode::k_internal_error);
}

}  // namespace orchestrate
