#pragma once

#include "process/Fd.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>

#include <unistd.h>

#include <cerrno>
#include <mutex>

namespace orchestrate {

// An spdlog sink that writes each formatted message to a descriptor it owns, with write(2) (no
// buffer to flush). For a log file opened with open_owned_file: spdlog's file sinks open by name
// and would follow a symlink planted at the path.
class FdLogSink final : public spdlog::sinks::base_sink<std::mutex>
{
public:
  explicit FdLogSink(Fd fd) : m_fd(std::move(fd))
  {
  }

protected:
  void sink_it_(const spdlog::details::log_msg& message) override
  {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    const char* data = formatted.data();
    std::size_t left = formatted.size();
    while (left > 0) {
      const ssize_t written = ::write(m_fd.get(), data, left);
      if (written < 0) {
        if (errno == EINTR) {
          continue;
        }
        return;  // a log that cannot be written must not stop the one writing it
      }
      data += written;
      left -= static_cast<std::size_t>(written);
    }
  }

  void flush_() override
  {
  }

private:
  Fd m_fd;
};

}  // namespace orchestrate
