#pragma once

#include "process/Fd.hpp"

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace orchestrate {

// Reaches an ssh:// engine the way the docker CLI does: `ssh -o BatchMode=yes ... HOST docker
// system dial-stdio`, the Engine API spoken over that child's stdin and stdout.
//
// Every client of the engine (libcurl, the `docker compose` child) speaks plain HTTP to a unix
// socket, so the dialer makes one: it listens on a private socket (in a fresh 0700 folder under
// the temp dir) and, for each connection it accepts, starts one ssh child whose stdin and stdout
// are that connection itself, so no byte passes through this process and nothing has to be
// pumped. A connection is one ssh session; libcurl opens one per request and compose a few, which
// costs an ssh handshake each but keeps every failure local to one request (see
// docs/scale-out.md for why this and not one multiplexed session).
//
// Owns the socket, its folder and the ssh children: the destructor stops accepting, ends the
// children (SIGTERM to each, then SIGKILL) and removes the folder. The children also get SIGTERM
// when the accepting thread ends (a parent-death signal), and an ssh whose client hung up ends by
// itself. Not copyable, not movable (the accepting thread holds `this`).
class SshDialer
{
public:
  // `host` is ssh://[user@]host[:port]; `ssh_config` (may be empty) is passed as `ssh -F`.
  // Starts listening at once. Throws EnvironmentError when the socket cannot be made.
  SshDialer(std::string host, std::filesystem::path ssh_config);
  ~SshDialer();

  SshDialer(const SshDialer&) = delete;
  SshDialer& operator=(const SshDialer&) = delete;

  // The unix socket that reaches the engine (a path, no scheme).
  const std::filesystem::path& socket_path() const
  {
    return m_socket_path;
  }

  // The argv of the ssh child for one connection (for logs and tests).
  std::vector<std::string> ssh_command() const;

  // The last lines ssh wrote to stderr (why a connection failed), for messages.
  std::string ssh_log_tail() const;

private:
  void accept_connections();
  void start_ssh(int connection);
  void reap_children(bool wait_for_all);

  std::string m_host;
  std::filesystem::path m_ssh_config;
  std::filesystem::path m_dir;
  std::filesystem::path m_socket_path;
  Fd m_listener;
  Fd m_wake_read;   // the destructor writes a byte to m_wake_write to end the accept loop
  Fd m_wake_write;
  Fd m_ssh_log;     // every ssh child's stderr, appended
  std::atomic<bool> m_stopping{false};
  std::vector<int> m_children;  // the accepting thread's only
  std::thread m_thread;
};

}  // namespace orchestrate
