#include "process/LineSocket.hpp"

#include "core/Error.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text()
{
  return std::strerror(errno);
}

int remaining_ms(Clock::time_point deadline)
{
  const auto left = std::chrono::duration_cast<Milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<long long>(left, 0));
}

}  // namespace

UnixSocketAddress::UnixSocketAddress(const std::filesystem::path& path)
{
  m_address.sun_family = AF_UNIX;
  std::string text = path.string();
  if (text.size() >= sizeof(m_address.sun_path)) {
    // Deep project folders make long paths: the kernel's limit is on the path it is given, so
    // name the socket through a descriptor of its folder, which the kernel resolves.
    m_folder = Fd(::open(path.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!m_folder) {
      throw InternalError("cannot open the folder of socket " + path.string() + ": " +
                          errno_text());
    }
    text = "/proc/self/fd/" + std::to_string(m_folder.get()) + "/" + path.filename().string();
    if (text.size() >= sizeof(m_address.sun_path)) {
      throw InternalError("socket name too long (" + std::to_string(text.size()) +
                          " bytes, at most " + std::to_string(sizeof(m_address.sun_path) - 1) +
                          "): " + path.filename().string());
    }
  }
  std::memcpy(m_address.sun_path, text.c_str(), text.size() + 1);
}

LineSocket::LineSocket(std::filesystem::path path) : m_path(std::move(path))
{
  const UnixSocketAddress address(m_path);
  const std::string text = m_path.string();
  m_listener = Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!m_listener) {
    throw InternalError("cannot create a unix socket: " + errno_text());
  }
  if (::bind(m_listener.get(), address.get(), address.size()) !=
        0 ||
      ::listen(m_listener.get(), 1) != 0) {
    throw InternalError("cannot listen on " + text + ": " + errno_text());
  }
}

LineSocket::LineSocket(std::filesystem::path path, Fd connection, Connected)
  : m_path(std::move(path)), m_connection(std::move(connection)), m_owns_path(false)
{
}

std::unique_ptr<LineSocket> LineSocket::connect_to(const std::filesystem::path& path)
{
  const UnixSocketAddress address(path);
  Fd connection(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!connection) {
    throw InternalError("cannot create a unix socket: " + errno_text());
  }
  // Blocking connect: a unix socket's connect does not wait for the peer to accept, only for
  // room in its backlog.
  if (::connect(connection.get(), address.get(), address.size()) !=
      0) {
    spdlog::debug("nobody listens at {}: {}", path.string(), errno_text());
    return nullptr;
  }
  const int flags = ::fcntl(connection.get(), F_GETFL);
  ::fcntl(connection.get(), F_SETFL, flags | O_NONBLOCK);
  return std::unique_ptr<LineSocket>(new LineSocket(path, std::move(connection), Connected{}));
}

LineSocket::~LineSocket()
{
  m_connection.close();
  m_listener.close();
  if (m_owns_path) {
    std::error_code ignored;
    std::filesystem::remove(m_path, ignored);
  }
}

void LineSocket::accept_peer()
{
  Fd connection(::accept4(m_listener.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
  if (!connection) {
    return;  // EAGAIN: nobody yet; anything else: the next poll tries again
  }
  m_connection = std::move(connection);
  // One peer only: nobody else may connect later and pose as it.
  m_listener.close();
  flush();
}

void LineSocket::read_available()
{
  char buffer[65536];
  while (!m_closed) {
    const ssize_t count = ::recv(m_connection.get(), buffer, sizeof(buffer), 0);
    if (count > 0) {
      m_received.append(buffer, static_cast<std::size_t>(count));
      continue;
    }
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    }
    if (count < 0) {
      spdlog::debug("reading {} failed: {}", m_path.string(), errno_text());
    }
    m_closed = true;
  }
}

bool LineSocket::flush()
{
  while (!m_unsent.empty()) {
    const ssize_t count = ::send(m_connection.get(), m_unsent.data(), m_unsent.size(),
                                 MSG_NOSIGNAL);
    if (count > 0) {
      m_unsent.erase(0, static_cast<std::size_t>(count));
      continue;
    }
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return true;
    }
    spdlog::debug("writing to {} failed: {}", m_path.string(), errno_text());
    m_unsent.clear();
    return false;
  }
  return true;
}

bool LineSocket::send(std::string_view text)
{
  m_unsent.append(text);
  if (!connected()) {
    return m_listener ? true : false;
  }
  return flush();
}

std::vector<std::string> LineSocket::receive(Milliseconds timeout)
{
  const auto deadline = Clock::now() + timeout;
  std::vector<std::string> lines;
  while (true) {
    if (connected()) {
      read_available();
      std::size_t start = 0;
      for (auto newline = m_received.find('\n'); newline != std::string::npos;
           newline = m_received.find('\n', start)) {
        lines.emplace_back(m_received, start, newline - start);
        start = newline + 1;
      }
      m_received.erase(0, start);
      if (!m_unsent.empty()) {
        flush();
      }
      if (!lines.empty() || m_closed) {
        return lines;
      }
    }
    pollfd watched{};
    watched.fd = connected() ? m_connection.get() : m_listener.get();
    watched.events = POLLIN | (connected() && !m_unsent.empty() ? POLLOUT : 0);
    if (watched.fd < 0) {
      return lines;
    }
    const int ready = ::poll(&watched, 1, remaining_ms(deadline));
    if (ready < 0 && errno != EINTR) {
      spdlog::debug("poll on {} failed: {}", m_path.string(), errno_text());
      return lines;
    }
    if (!connected() && ready > 0) {
      accept_peer();
    }
    if (ready == 0 && Clock::now() >= deadline) {
      return lines;
    }
  }
}

}  // namespace orchestrate
