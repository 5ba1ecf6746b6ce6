#pragma once

#include "core/Quantities.hpp"
#include "process/Fd.hpp"

#include <filesystem>
#include <sys/socket.h>
#include <sys/un.h>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace orchestrate {

// The address of a unix socket at `path` for bind() or connect(), also when the path is longer than
// the kernel's 107 bytes: then it goes through /proc/self/fd/<a descriptor of its folder>, which
// this object holds until it is destroyed. Throws InternalError when the folder cannot be opened.
class UnixSocketAddress
{
public:
  explicit UnixSocketAddress(const std::filesystem::path& path);

  const sockaddr* get() const
  {
    return reinterpret_cast<const sockaddr*>(&m_address);
  }
  socklen_t size() const
  {
    return sizeof(m_address);
  }

private:
  sockaddr_un m_address{};
  Fd m_folder;
};

// A unix stream socket that one child connects to, carrying newline-terminated lines both ways:
// a channel of its own beside the child's stdout and stderr (which hold the child's output).
//
// Owns the listening socket, its path (removed by the destructor) and the connection. Not
// thread-safe, not movable (hold it in a unique_ptr). Nothing here blocks longer than the timeout
// it is given; sending never blocks.
class LineSocket
{
public:
  // Listens at `path` (which must not exist; at most 107 bytes, the kernel's limit). Throws
  // InternalError when it cannot.
  explicit LineSocket(std::filesystem::path path);
  // Removes the path when it listened (not when it connected).
  ~LineSocket();

  // The other way round: connects to a peer that listens at `path` (a warm pytest worker parked by
  // an earlier run, which owns the path). nullptr when nobody listens there (refused, missing).
  // Throws InternalError for a path the kernel cannot take.
  static std::unique_ptr<LineSocket> connect_to(const std::filesystem::path& path);

  LineSocket(const LineSocket&) = delete;
  LineSocket& operator=(const LineSocket&) = delete;

  const std::filesystem::path& path() const
  {
    return m_path;
  }

  // Waits at most `timeout` for the peer to connect (if it has not) and for lines to arrive,
  // and returns the complete lines received, without their newlines, in order (empty when none
  // came in time, or when the peer is closed()). Also sends what send() could not yet. Never
  // throws.
  std::vector<std::string> receive(Milliseconds timeout);

  // True once the peer has connected.
  bool connected() const
  {
    return static_cast<bool>(m_connection);
  }

  // True once the peer has closed its end (or the connection failed): no more lines will come.
  bool closed() const
  {
    return m_closed;
  }

  // Sends `text` (whole lines) to the peer without blocking: what does not fit in the socket
  // now (or comes before the peer connects) is kept, in order, and sent by later calls of
  // send() and receive(). Returns false when the peer is gone. Never throws.
  bool send(std::string_view text);

private:
  struct Connected
  {
  };
  LineSocket(std::filesystem::path path, Fd connection, Connected);

  void accept_peer();
  void read_available();
  // Writes as much of m_unsent as the socket takes now; false when the peer is gone.
  bool flush();

  std::filesystem::path m_path;
  Fd m_listener;
  Fd m_connection;
  std::string m_received;  // an incomplete last line waits here for its newline
  std::string m_unsent;    // what send() was given before the peer connected
  bool m_closed = false;
  bool m_owns_path = true;  // false when it connected to someone else's
};

}  // namespace orchestrate
