#include "core/FileText.hpp"

#include "process/Fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

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

}  // namespace orchestrate
