#include "process/ChildProcess.hpp"

#include "core/Error.hpp"
#include "process/EscapedProcesses.hpp"
#include "process/Fd.hpp"
#include "process/ProcStat.hpp"
#include "process/SignalState.hpp"

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>
#include <thread>

namespace bp = boost::process;

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

constexpr Milliseconds k_poll_interval(10);
// Grace before SIGKILL when a deadline passes or on the first interrupt; the destructor is
// shorter, since it runs during teardown, where everything waits for it.
constexpr Milliseconds k_stop_grace(2000);
constexpr Milliseconds k_destructor_grace(1000);
// After SIGKILL a process ends at once unless it is stuck in the kernel (state D); we do not
// wait longer than this for that.
constexpr Milliseconds k_kill_bound(2000);

// "sh -c 'sleep 1'": for logs and messages only, never run by a shell.
std::string describe_command(const std::vector<std::string>& argv)
{
  std::string text;
  for (const auto& argument : argv) {
    if (!text.empty()) {
      text += ' ';
    }
    bool plain = !argument.empty()
                 && argument.find_first_of(" \t\n'\"\\$`;&|<>()*?") == std::string::npos;
    text += plain ? argument : "'" + argument + "'";
  }
  return text;
}

std::string errno_text()
{
  return std::strerror(errno);
}

// argv[0] as execve needs it: unchanged when it names a path, else looked up on the PATH the
// child will get (the extra environment may override ours).
boost::filesystem::path resolve_program(const ProcessOptions& options)
{
  const std::string& program = options.argv.front();
  if (program.find('/') != std::string::npos) {
    return program;
  }
  auto path_override = options.extra_environment.find("PATH");
  if (path_override == options.extra_environment.end()) {
    return bp::search_path(program);
  }
  std::vector<boost::filesystem::path> directories;
  std::string_view rest = path_override->second;
  while (!rest.empty()) {
    auto colon = rest.find(':');
    directories.emplace_back(std::string(rest.substr(0, colon)));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
  }
  return bp::search_path(program, directories);
}

}  // namespace

std::filesystem::path find_program(const ProcessOptions& options)
{
  return resolve_program(options).string();
}

// Everything about one child. Its destructor stops and reaps the child, so a ChildProcess that
// is destroyed or assigned over never leaks its process group.
struct ChildProcess::State
{
  int pid = 0;  // also the process group id: the child called setpgid(0, 0)
  std::string command;
  Fd output;  // where the child's stdout+stderr go; read back for output()
  bool capture = false;
  off_t capture_offset = 0;  // output() starts here (the output file may hold earlier runs)
  bool reaped = false;
  bool group_gone = false;  // no running process is left in the group: never signal it again
  std::string escape_token;  // set with end_escaped: what its descendants carry (see ~State)
  ProcessExit exit;

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  ~State()
  {
    if (pid > 0 && !(reaped && group_gone)) {
      try {
        stop(k_destructor_grace);
      } catch (...) {
        // A destructor must not throw; stop() only logs, so this is out of caution.
      }
    }
    if (!escape_token.empty()) {
      // The child is gone with its group; whatever it started outside the group goes too.
      if (const int ended = end_processes_with_token(escape_token); ended > 0) {
        spdlog::debug("{} ended {} process(es) that had left its process group", tag(), ended);
      }
    }
  }

  std::string tag() const
  {
    return "[pid: " + std::to_string(pid) + ", command: " + command + "]";
  }

  void record(int status)
  {
    reaped = true;
    if (WIFSIGNALED(status)) {
      exit.signal = WTERMSIG(status);
      exit.exit_code = 128 + exit.signal;
      spdlog::debug("{} killed by signal {}", tag(), exit.signal);
    } else {
      exit.exit_code = WEXITSTATUS(status);
      spdlog::debug("{} exited with {}", tag(), exit.exit_code);
    }
  }

  // Reaps the leader if it has ended, without blocking. We own reaping (the bp::child was
  // detached), so the pid cannot be recycled while we may still signal it.
  void reap()
  {
    if (reaped) {
      return;
    }
    int status = 0;
    pid_t result = ::waitpid(pid, &status, WNOHANG);
    if (result == pid) {
      record(status);
      group_gone = running_group_members(pid).empty();
    } else if (result == -1 && errno != EINTR) {
      // Someone else reaped it (a waitpid(-1) elsewhere): the status is lost.
      spdlog::warn("{} cannot be waited for: {}", tag(), errno_text());
      reaped = true;
      exit.exit_code = 128 + SIGKILL;
      exit.signal = SIGKILL;
    }
  }

  bool finished()
  {
    reap();
    if (reaped && !group_gone) {
      group_gone = running_group_members(pid).empty();
    }
    return reaped && group_gone;
  }

  // Waits until the leader is reaped and the group is empty, at most until `deadline`.
  bool wait_finished(Clock::time_point deadline)
  {
    while (!finished()) {
      if (Clock::now() >= deadline) {
        return false;
      }
      std::this_thread::sleep_for(k_poll_interval);
    }
    return true;
  }

  void signal_group(int signal_number)
  {
    spdlog::debug("{} sending {} to process group {}", tag(), strsignal(signal_number), pid);
    if (::kill(-pid, signal_number) != 0 && errno != ESRCH) {
      spdlog::warn("{} cannot signal process group {}: {}", tag(), pid, errno_text());
    }
  }

  void stop(Milliseconds grace)
  {
    if (finished()) {
      return;
    }
    // The group is signalled even when the leader has ended: what it started may live on.
    signal_group(SIGTERM);
    if (wait_finished(Clock::now() + grace)) {
      return;
    }
    signal_group(SIGKILL);
    if (!wait_finished(Clock::now() + k_kill_bound)) {
      spdlog::warn("{} still not gone {} ms after SIGKILL; giving up on it", tag(),
                   k_kill_bound.count());
    }
  }

  std::string read_output() const
  {
    std::string text;
    char buffer[65536];
    off_t offset = capture_offset;
    while (true) {
      ssize_t count = ::pread(output.get(), buffer, sizeof(buffer), offset);
      if (count < 0 && errno == EINTR) {
        continue;
      }
      if (count <= 0) {
        break;
      }
      text.append(buffer, static_cast<std::size_t>(count));
      offset += count;
    }
    return text;
  }
};

namespace {

// Opens where the child's stdout+stderr go (close-on-exec: only the child's dup2 copies survive
// exec). A capture-only child writes to an already unlinked temporary file, which needs no pipe
// to drain (no deadlock on a full pipe) and can never be left behind.
Fd open_output(const ProcessOptions& options, const std::string& command, off_t& start_offset)
{
  start_offset = 0;
  if (!options.output_file.empty()) {
    Fd fd(::open(options.output_file.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    struct stat status;
    if (!fd || ::fstat(fd.get(), &status) != 0) {
      throw InternalError("cannot start `" + command + "`: cannot open output file "
                          + options.output_file.string() + ": " + errno_text());
    }
    start_offset = status.st_size;
    return fd;
  }
  if (!options.capture_output) {
    Fd fd(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (!fd) {
      throw InternalError("cannot open /dev/null: " + errno_text());
    }
    return fd;
  }
  std::error_code error;
  std::filesystem::path directory = std::filesystem::temp_directory_path(error);
  std::string name = (directory / "orchestrate-output-XXXXXX").string();
  Fd fd(::mkostemp(name.data(), O_CLOEXEC));
  if (!fd) {
    throw InternalError("cannot create a temporary file in " + directory.string() + ": "
                        + errno_text());
  }
  ::unlink(name.c_str());
  return fd;
}

}  // namespace

ChildProcess::ChildProcess(const ProcessOptions& options) : m_state(std::make_unique<State>())
{
  if (options.argv.empty()) {
    throw InternalError("cannot start a process: empty command");
  }
  State& state = *m_state;
  state.command = describe_command(options.argv);
  state.capture = options.capture_output;

  boost::filesystem::path program = resolve_program(options);
  if (program.empty()) {
    throw InternalError("cannot start `" + state.command + "`: `" + options.argv.front()
                        + "` not found on PATH");
  }
  // bp::start_dir ignores a failing chdir, so the directory is checked here and changed below.
  std::error_code directory_error;
  if (!options.working_directory.empty()
      && !std::filesystem::is_directory(options.working_directory, directory_error)) {
    throw InternalError("cannot start `" + state.command + "`: working directory "
                        + options.working_directory.string() + " does not exist");
  }
  state.output = open_output(options, state.command, state.capture_offset);

  bp::environment environment = boost::this_process::environment();
  for (const auto& [name, value] : options.extra_environment) {
    environment[name] = value;
  }
  if (options.end_escaped) {
    state.escape_token = new_process_token();
    environment[std::string(k_process_token_variable)] = state.escape_token;
  }
  std::vector<std::string> arguments(options.argv.begin() + 1, options.argv.end());
  const int output_fd = state.output.get();
  const std::string directory = options.working_directory.string();

  std::error_code spawn_error;
  pid_t failed_pid = -1;
  bp::child child(
    bp::exe = program, bp::args = arguments, bp::env = environment, bp::std_in < bp::null,
    // Runs in the forked child before exec: only async-signal-safe calls here.
    bp::extend::on_exec_setup =
      [output_fd, &directory](auto&) {
        // Lead a process group of our own, so stop() reaches everything the child starts.
        ::setpgid(0, 0);
        // If orchestrate is killed outright (kill -9, a crash), no destructor runs: the kernel
        // then ends the child, and the reaper removes the Docker resources. (The signal follows
        // the spawning thread, which waits for its children, so it never fires early.)
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        // orchestrate ignores SIGPIPE (SignalState), and an ignored signal stays ignored across
        // exec: the tests' `yes | head` must behave as in a shell.
        struct sigaction default_action {};
        default_action.sa_handler = SIG_DFL;
        ::sigaction(SIGPIPE, &default_action, nullptr);
        ::dup2(output_fd, STDOUT_FILENO);
        ::dup2(output_fd, STDERR_FILENO);
        if (!directory.empty() && ::chdir(directory.c_str()) != 0) {
          const char message[] = "orchestrate: cannot change to the working directory\n";
          [[maybe_unused]] auto written = ::write(STDERR_FILENO, message, sizeof(message) - 1);
          ::_exit(127);
        }
      },
    // When exec fails, bp returns an empty child without reaping the one it forked.
    bp::extend::on_error = [&failed_pid](auto& executor,
                                         const std::error_code&) { failed_pid = executor.pid; },
    spawn_error);
  if (spawn_error || !child.valid()) {
    if (failed_pid > 0) {
      ::waitpid(failed_pid, nullptr, 0);
    }
    throw InternalError("cannot start `" + state.command + "`: " + spawn_error.message());
  }
  // From here on we reap through waitpid ourselves; an attached bp::child would SIGKILL its pid
  // on destruction, which by then may belong to another process.
  child.detach();
  state.pid = child.id();
  spdlog::debug("{} started", state.tag());
}

ChildProcess::~ChildProcess() = default;
ChildProcess::ChildProcess(ChildProcess&&) noexcept = default;
ChildProcess& ChildProcess::operator=(ChildProcess&&) noexcept = default;

int ChildProcess::pid() const
{
  return m_state ? m_state->pid : 0;
}

ProcessExit ChildProcess::wait(std::optional<Milliseconds> timeout, bool stop_on_interrupt)
{
  if (!m_state) {
    return {};
  }
  State& state = *m_state;
  std::optional<Clock::time_point> deadline;
  if (timeout) {
    deadline = Clock::now() + *timeout;
  }
  while (true) {
    state.reap();
    if (state.reaped) {
      return state.exit;
    }
    if (deadline && Clock::now() >= *deadline) {
      spdlog::debug("{} timed out after {} ms", state.tag(), timeout->count());
      state.stop(k_stop_grace);
      state.exit.timed_out = true;
      return state.exit;
    }
    if (stop_on_interrupt && should_stop_children()) {
      // A second interrupt asks for speed: no grace.
      spdlog::debug("{} stopping: interrupted", state.tag());
      state.stop(interrupt_count() > 1 ? Milliseconds(0) : k_stop_grace);
      state.exit.interrupted = true;
      return state.exit;
    }
    std::this_thread::sleep_for(k_poll_interval);
  }
}

std::optional<ProcessExit> ChildProcess::poll()
{
  if (!m_state) {
    return std::nullopt;
  }
  m_state->reap();
  if (!m_state->reaped) {
    return std::nullopt;
  }
  return m_state->exit;
}

void ChildProcess::stop(Milliseconds grace)
{
  if (m_state) {
    m_state->stop(grace);
  }
}

std::string ChildProcess::output() const
{
  if (!m_state || !m_state->capture) {
    return {};
  }
  return m_state->read_output();
}

CommandOutput run_command(const ProcessOptions& options, std::optional<Milliseconds> timeout)
{
  ProcessOptions capturing = options;
  capturing.capture_output = true;
  ChildProcess child(capturing);
  CommandOutput result;
  result.exit = child.wait(timeout);
  result.output = child.output();
  return result;
}

}  // namespace orchestrate
