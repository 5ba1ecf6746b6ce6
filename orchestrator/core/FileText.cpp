#include "core/FileText.hpp"

#include "process/Fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace orchestrate {

std::optional<std::string> read_file_text(const std::filesystem::path& file)
{
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd) {
    return std::nullopt;
  }
  std::string content;
  char buffer[16 * 1024];
  while (true) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got == 0) {
      return content;
    }
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      // Keep errno for the caller: Fd's close() below may not change it (close errors ignored).
      const int error = errno;
      fd.close();
      errno = error;
      return std::nullopt;
    }
    content.append(buffer, static_cast<std::size_t>(got));
  }
}

void write_file_atomically(const std::filesystem::path& file, const std::string& text)
{
  const std::filesystem::path temporary =
    file.string() + ".tmp-" + std::to_string(static_cast<long>(::getpid()));
  const auto fail = [&](const std::string& reason) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error("cannot write " + file.string() + ": " + reason);
  };
  {
    std::ofstream stream(temporary, std::ios::binary | std::ios::trunc);
    stream << text;
    stream.close();
    if (!stream) {
      fail(std::strerror(errno));
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, file, error);
  if (error) {
    fail(error.message());
  }
}

}  // namespace orchestrate
