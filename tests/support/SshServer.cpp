#include "support/SshServer.hpp"

#include "core/FileText.hpp"
#include "process/ChildProcess.hpp"
#include "process/Fd.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>
#include <vector>

namespace orchestrate {

namespace {

constexpr const char* k_sshd = "/usr/sbin/sshd";

void run_or_throw(const std::vector<std::string>& argv)
{
  ProcessOptions options;
  options.argv = argv;
  options.capture_output = true;
  const auto result = run_command(options, Milliseconds(30'000));
  if (!result.exit.succeeded()) {
    throw std::runtime_error("`" + argv.front() + "` failed: " + result.output);
  }
}

// A port of 127.0.0.1 that nothing listens on now (the kernel's pick).
int free_loopback_port()
{
  Fd probe(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (!probe || ::bind(probe.get(), reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    throw std::runtime_error("cannot find a free port on 127.0.0.1");
  }
  return ntohs(address.sin_port);
}

bool accepts(int port)
{
  Fd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return socket && ::connect(socket.get(), reinterpret_cast<sockaddr*>(&address),
                             sizeof address) == 0;
}

}  // namespace

SshServer::SshServer(std::string docker_host) : m_docker_host(std::move(docker_host))
{
  if (::access(k_sshd, X_OK) != 0) {
    throw std::runtime_error(std::string(k_sshd) +
                             " is missing: install openssh-server (scripts/setup does)");
  }
  const passwd* user = ::getpwuid(::getuid());
  m_user = user != nullptr ? user->pw_name : "root";
  const auto dir = m_dir.path();
  const auto file = [&](const char* name) { return (dir / name).string(); };
  run_or_throw({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", file("host_key")});
  run_or_throw({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", file("client_key")});
  std::filesystem::copy_file(file("client_key.pub"), file("authorized_keys"));
  m_port = free_loopback_port();
  const std::string host_key = read_file_text(file("host_key.pub")).value_or("");
  std::ofstream(file("known_hosts")) << "[127.0.0.1]:" << m_port << " " << host_key;
  // sshd's privilege separation needs this folder; Debian makes it only when the service starts.
  ::mkdir("/run/sshd", 0755);
  std::ofstream(file("sshd_config"))
    << "ListenAddress 127.0.0.1:" << m_port << "\n"
    << "HostKey " << file("host_key") << "\n"
    << "PidFile " << file("sshd.pid") << "\n"
    << "AuthorizedKeysFile " << file("authorized_keys") << "\n"
    << "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
    << "PermitRootLogin prohibit-password\nStrictModes no\n"
    << "SetEnv DOCKER_HOST=" << m_docker_host << "\n";
  std::ofstream(file("ssh_config"))
    << "Host *\n"
    << "  IdentityFile " << file("client_key") << "\n"
    << "  IdentitiesOnly yes\n"
    << "  UserKnownHostsFile " << file("known_hosts") << "\n"
    << "  StrictHostKeyChecking yes\n"
    << "  LogLevel ERROR\n";

  std::vector<std::string> arguments{k_sshd, "-D", "-e", "-f", file("sshd_config")};
  std::vector<char*> argv;
  for (auto& argument : arguments) {
    argv.push_back(argument.data());
  }
  argv.push_back(nullptr);
  Fd log(::open(file("sshd.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  const pid_t pid = ::fork();
  if (pid < 0) {
    throw std::runtime_error("cannot fork sshd");
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(log.get(), STDERR_FILENO);
    ::close_range(3, ~0U, 0);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  m_pid = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!accepts(m_port)) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid ||
        std::chrono::steady_clock::now() >= deadline) {
      m_pid = 0;
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      throw std::runtime_error("sshd did not start: " +
                               read_file_text(file("sshd.log")).value_or(""));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

SshServer::~SshServer()
{
  if (m_pid != 0) {
    // The sessions (each `docker system dial-stdio`) are sshd's children, in its process group.
    ::kill(-m_pid, SIGKILL);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
  }
}

std::string SshServer::url() const
{
  return "ssh://" + m_user + "@127.0.0.1:" + std::to_string(m_port);
}

std::filesystem::path SshServer::client_config() const
{
  return m_dir.path() / "ssh_config";
}

}  // namespace orchestrate
