#pragma once

// An OpenSSH server of a test's own (Debian's openssh-server), on a free port of 127.0.0.1, that
// lets in one key made for the test and gives every session DOCKER_HOST pointing at a given
// engine, so that `ssh ... docker system dial-stdio` reaches that engine as it would on a remote
// machine. Everything (host key, client key, authorized_keys, known_hosts, sshd_config, the
// client's ssh_config) lives in its temp dir.

#include "support/TempDir.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>

namespace orchestrate {

// Owns sshd: the destructor kills it (and the sessions it started: its process group) and
// removes the temp dir. Not copyable, not movable.
class SshServer
{
public:
  // Makes the keys (ssh-keygen), writes the configuration and starts `sshd -D` in its own process
  // group; returns once it accepts connections. `docker_host` is the DOCKER_HOST of its sessions.
  // Throws std::runtime_error when sshd is not installed (scripts/setup installs it) or does not
  // accept connections within 10 s (its log in the message).
  explicit SshServer(std::string docker_host);
  ~SshServer();

  SshServer(const SshServer&) = delete;
  SshServer& operator=(const SshServer&) = delete;

  // "ssh://root@127.0.0.1:PORT" (the user running the test).
  std::string url() const;
  // An ssh_config for `ssh -F`: the test's key, its known_hosts, nothing of ~/.ssh.
  std::filesystem::path client_config() const;
  int port() const
  {
    return m_port;
  }
  int pid() const
  {
    return m_pid;
  }

private:
  TempDir m_dir;
  std::string m_docker_host;
  std::string m_user;
  int m_port = 0;
  int m_pid = 0;
};

}  // namespace orchestrate
