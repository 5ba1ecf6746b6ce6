#include "process/DetachedSpawn.hpp"

#include "core/Error.hpp"
#include "core/FileText.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

extern char** environ;

namespace orchestrate {

namespace {

// Writes "exit N\n" or "signal N\n" to `path` with async-signal-safe calls only (the waiter is a
// forked copy of a threaded process).
void write_exit_status(const char* path, int status)
{
  char text[32];
  const char* word = WIFSIGNALED(status) ? "signal " : "exit ";
  int number = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
  std::size_t length = 0;
  for (const char* c = word; *c != '\0'; ++c) {
    text[length++] = *c;
  }
  char digits[12];
  std::size_t count = 0;
  do {
    digits[count++] = static_cast<char>('0' + number % 10);
    number /= 10;
  } while (number > 0);
  while (count > 0) {
    text[length++] = digits[--count];
  }
  text[length++] = '\n';
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    [[maybe_unused]] auto written = ::write(fd, text, length);
    ::close(fd);
  }
}

}  // namespace

int spawn_detached(const DetachedSpawn& spawn)
{
  // Everything the child needs is built before fork(): between fork and exec a child of a
  // threaded process may only make async-signal-safe calls.
  std::vector<std::string> arguments = spawn.argv;
  std::vector<char*> argv;
  for (auto& argument : arguments) {
    argv.push_back(argument.data());
  }
  argv.push_back(nullptr);
  std::vector<std::string> variables = spawn.environment;
  std::vector<char*> envp;
  for (auto& variable : variables) {
    envp.push_back(variable.data());
  }
  envp.push_back(nullptr);
  char** const child_environment = spawn.environment.empty() ? environ : envp.data();
  const std::string directory = spawn.working_directory.string();
  const std::string status_file = spawn.exit_status_file.string();
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t stopping_signals;
  sigemptyset(&stopping_signals);
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP, SIGPIPE}) {
    sigaddset(&stopping_signals, signal_number);
  }
  const int dev_null = ::open("/dev/null", O_RDWR | O_CLOEXEC);

  // A waiter must not be ended by a stop signal before it could block them (a `pool down` right
  // after the park): they are blocked across the fork, and the program unblocks them.
  sigset_t ours;
  if (!status_file.empty()) {
    ::pthread_sigmask(SIG_BLOCK, &stopping_signals, &ours);
  }
  const pid_t pid = ::fork();
  if (pid != 0 && !status_file.empty()) {
    ::pthread_sigmask(SIG_SETMASK, &ours, nullptr);
  }
  if (pid < 0) {
    const std::string why = std::strerror(errno);
    ::close(dev_null);
    throw InternalError("cannot fork `" + spawn.argv.front() + "`: " + why);
  }
  if (pid == 0) {
    ::setsid();
    ::dup2(spawn.stdin_fd >= 0 ? spawn.stdin_fd : dev_null, STDIN_FILENO);
    ::dup2(spawn.stdout_fd >= 0 ? spawn.stdout_fd : dev_null, STDOUT_FILENO);
    ::dup2(spawn.stderr_fd >= 0 ? spawn.stderr_fd : dev_null, STDERR_FILENO);
    int first_closed = 3;
    if (spawn.passed_fd >= 0) {
      if (spawn.passed_fd == 3) {
        ::fcntl(3, F_SETFD, 0);
      } else {
        ::dup2(spawn.passed_fd, 3);
      }
      first_closed = 4;
    }
    // Nothing else of ours may live on in it (an inherited pipe end would keep a reader of ours
    // from seeing EOF; a lock file would stay locked).
    ::close_range(static_cast<unsigned>(first_closed), ~0U, 0);
    if (!directory.empty() && ::chdir(directory.c_str()) != 0) {
      ::_exit(127);
    }
    if (!status_file.empty()) {
      // The waiter (the stop signals still blocked): what a watcher sends the session's group
      // ends the program, not the waiter, which stays to write how the program ended.
      const pid_t program = ::fork();
      if (program == 0) {
        ::sigprocmask(SIG_SETMASK, &no_signals, nullptr);
        ::execve(argv[0], argv.data(), child_environment);
        ::_exit(127);
      }
      if (spawn.passed_fd >= 0) {
        ::close(3);  // the program's alone: a connection must not wait on the waiter's copy
      }
      int status = 0;
      while (program > 0 && ::waitpid(program, &status, 0) < 0 && errno == EINTR) {
      }
      write_exit_status(status_file.c_str(), program > 0 ? status : (127 << 8));
      ::_exit(0);
    }
    ::sigprocmask(SIG_SETMASK, &no_signals, nullptr);
    ::execve(argv[0], argv.data(), child_environment);
    ::_exit(127);
  }
  ::close(dev_null);
  return pid;
}

std::optional<DetachedExit> read_detached_exit(const std::filesystem::path& exit_status_file)
{
  const auto text = read_file_text(exit_status_file);
  if (!text || text->empty() || text->back() != '\n') {
    return std::nullopt;
  }
  std::istringstream words(*text);
  std::string kind;
  int number = -1;
  if (!(words >> kind >> number) || number < 0) {
    return std::nullopt;
  }
  DetachedExit exit;
  if (kind == "signal") {
    exit.signal = number;
    exit.exit_code = 128 + number;
  } else if (kind == "exit") {
    exit.exit_code = number;
  } else {
    return std::nullopt;
  }
  return exit;
}

}  // namespace orchestrate
