#include "docker/SshDialer.hpp"

#include "core/Error.hpp"
#include "core/FileText.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

namespace orchestrate {

namespace {

constexpr int k_connect_timeout_seconds = 10;
constexpr auto k_child_stop_bound = std::chrono::milliseconds(2000);

struct SshTarget
{
  std::string user;
  std::string host;
  std::string port;
};

// ssh://[user@]host[:port][/] -> its parts ("[::1]" loses its brackets for ssh).
SshTarget parse_ssh_host(const std::string& url)
{
  constexpr std::string_view k_scheme = "ssh://";
  if (!url.starts_with(k_scheme)) {
    throw UsageError(url + " is not an ssh:// engine");
  }
  std::string rest = url.substr(k_scheme.size());
  while (rest.ends_with('/')) {
    rest.pop_back();
  }
  if (rest.find('/') != std::string::npos || rest.find('?') != std::string::npos) {
    throw UsageError(url + ": an ssh:// engine takes no path or query; expected "
                           "ssh://[user@]host[:port]");
  }
  SshTarget target;
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    target.user = rest.substr(0, at);
    rest = rest.substr(at + 1);
  }
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    target.host = rest.substr(1, close - 1);
    rest = close == std::string::npos ? std::string() : rest.substr(close + 1);
    if (rest.starts_with(':')) {
      target.port = rest.substr(1);
    }
  } else if (const auto colon = rest.find(':'); colon != std::string::npos) {
    target.host = rest.substr(0, colon);
    target.port = rest.substr(colon + 1);
  } else {
    target.host = rest;
  }
  if (target.host.empty() || target.host.starts_with('-') ||
      !std::all_of(target.port.begin(), target.port.end(), ::isdigit)) {
    throw UsageError(url + " is not a valid ssh:// engine; expected ssh://[user@]host[:port]");
  }
  return target;
}

}  // namespace

SshDialer::SshDialer(std::string host, std::filesystem::path ssh_config)
  : m_host(std::move(host)),
    m_ssh_config(std::move(ssh_config))
{
  parse_ssh_host(m_host);  // a bad URL is refused before anything is made
  std::string pattern = (std::filesystem::temp_directory_path() / "orchestrate-ssh-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw EnvironmentError("cannot make a folder for the ssh engine socket: " +
                           std::string(std::strerror(errno)));
  }
  m_dir = pattern;
  m_socket_path = m_dir / "engine.sock";
  m_ssh_log = Fd(::open((m_dir / "ssh.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                        0600));
  m_listener = Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string path = m_socket_path.string();
  std::error_code ignored;
  if (!m_listener || path.size() >= sizeof(address.sun_path)) {
    std::filesystem::remove_all(m_dir, ignored);
    throw EnvironmentError("cannot make a unix socket for the ssh engine at " + path);
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  if (::bind(m_listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(m_listener.get(), 64) != 0) {
    const std::string reason = std::strerror(errno);
    std::filesystem::remove_all(m_dir, ignored);
    throw EnvironmentError("cannot listen on " + path + " for the ssh engine: " + reason);
  }
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC) != 0) {
    std::filesystem::remove_all(m_dir, ignored);
    throw EnvironmentError("cannot make a pipe for the ssh engine's socket");
  }
  m_wake_read = Fd(wake[0]);
  m_wake_write = Fd(wake[1]);
  spdlog::debug("ssh engine {}: listening on {}", m_host, path);
  m_thread = std::thread([this] { accept_connections(); });
}

SshDialer::~SshDialer()
{
  m_stopping = true;
  const char byte = 'x';
  [[maybe_unused]] const auto written = ::write(m_wake_write.get(), &byte, 1);
  if (m_thread.joinable()) {
    m_thread.join();
  }
  std::error_code ignored;
  std::filesystem::remove_all(m_dir, ignored);
}

std::vector<std::string> SshDialer::ssh_command() const
{
  const SshTarget target = parse_ssh_host(m_host);
  // As the docker CLI's connhelper, plus BatchMode: a run must never wait at a password prompt.
  std::vector<std::string> argv{"ssh", "-o", "BatchMode=yes", "-o",
                                "ConnectTimeout=" + std::to_string(k_connect_timeout_seconds),
                                "-T"};
  if (!m_ssh_config.empty()) {
    argv.insert(argv.end(), {"-F", m_ssh_config.string()});
  }
  if (!target.user.empty()) {
    argv.insert(argv.end(), {"-l", target.user});
  }
  if (!target.port.empty()) {
    argv.insert(argv.end(), {"-p", target.port});
  }
  argv.insert(argv.end(), {"--", target.host, "docker", "system", "dial-stdio"});
  return argv;
}

std::string SshDialer::ssh_log_tail() const
{
  const auto text = read_file_text(m_dir / "ssh.log").value_or("");
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

void SshDialer::accept_connections()
{
  while (!m_stopping) {
    pollfd watched[2] = {{m_listener.get(), POLLIN, 0}, {m_wake_read.get(), POLLIN, 0}};
    // Wakes at least once a second to reap the ssh children of closed connections.
    const int ready = ::poll(watched, 2, 1000);
    reap_children(false);
    if (ready <= 0 || (watched[1].revents & POLLIN) != 0) {
      continue;
    }
    const int connection = ::accept4(m_listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) {
      continue;
    }
    start_ssh(connection);
    ::close(connection);  // the child holds it now
  }
  for (const int pid : m_children) {
    ::kill(pid, SIGTERM);
  }
  reap_children(true);
}

void SshDialer::start_ssh(int connection)
{
  // Built before fork(): the child of a threaded process may only make async-signal-safe calls.
  std::vector<std::string> arguments = ssh_command();
  std::vector<char*> argv;
  for (auto& argument : arguments) {
    argv.push_back(argument.data());
  }
  argv.push_back(nullptr);
  const int log = m_ssh_log.get();
  const pid_t pid = ::fork();
  if (pid < 0) {
    spdlog::warn("ssh engine {}: cannot fork ssh: {}", m_host, std::strerror(errno));
    return;
  }
  if (pid == 0) {
    // The connection is ssh's stdin and stdout; it ends with this thread (the dialer) at the
    // latest. Its own process group: a Ctrl-C at the terminal is ours to handle.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    ::setpgid(0, 0);
    ::dup2(connection, STDIN_FILENO);
    ::dup2(connection, STDOUT_FILENO);
    if (log >= 0) {
      ::dup2(log, STDERR_FILENO);
    }
    ::close_range(3, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  spdlog::debug("[pid: {}, command: ssh ... {} docker system dial-stdio] ssh engine connection",
                pid, m_host);
  m_children.push_back(pid);
}

void SshDialer::reap_children(bool wait_for_all)
{
  const auto deadline = std::chrono::steady_clock::now() + k_child_stop_bound;
  while (!m_children.empty()) {
    std::erase_if(m_children, [](int pid) {
      int status = 0;
      const pid_t result = ::waitpid(pid, &status, WNOHANG);
      return result == pid || (result < 0 && errno == ECHILD);
    });
    if (!wait_for_all || m_children.empty()) {
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      for (const int pid : m_children) {
        ::kill(pid, SIGKILL);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace orchestrate
