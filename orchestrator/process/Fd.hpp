#pragma once

#include <unistd.h>

#include <utility>

namespace orchestrate {

// The one owner of a file descriptor (after ccache's util/fd.hpp): closes it on destruction.
// Move-only; a default-constructed or moved-from Fd holds nothing (-1).
class Fd
{
public:
  Fd() = default;

  // Takes ownership of `fd` (may be -1, e.g. straight from a failed open()).
  explicit Fd(int fd) : m_fd(fd)
  {
  }

  ~Fd()
  {
    close();
  }

  Fd(Fd&& other) noexcept : m_fd(other.release())
  {
  }

  Fd& operator=(Fd&& other) noexcept
  {
    if (this != &other) {
      close();
      m_fd = other.release();
    }
    return *this;
  }

  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  // The descriptor, still owned by this Fd; -1 if none.
  int get() const
  {
    return m_fd;
  }

  // True if a descriptor is held.
  explicit operator bool() const
  {
    return m_fd != -1;
  }

  // Gives up ownership: returns the descriptor, which the caller must close.
  int release()
  {
    return std::exchange(m_fd, -1);
  }

  // Closes the descriptor now (no-op if none). Errors from close(2) are ignored: there is nothing
  // a caller could do about them, and retrying after EINTR may close someone else's descriptor.
  void close()
  {
    if (m_fd != -1) {
      ::close(std::exchange(m_fd, -1));
    }
  }

private:
  int m_fd = -1;
};

}  // namespace orchestrate
