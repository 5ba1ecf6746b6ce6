#include "core/OwnedFile.hpp"

#include "core/Error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace orchestrate {

namespace {

std::string owner_text(uid_t uid)
{
  return "uid " + std::to_string(uid);
}

}  // namespace

Fd open_owned_file(const std::filesystem::path& path, int flags, const std::string& what,
                   mode_t mode)
{
  const std::string refusing = "refusing the " + what + " " + path.string() + ": ";
  const std::string expected = "; expected a regular file owned by " + owner_text(::geteuid()) +
                               " (remove it, or use a folder only you can write to)";
  // O_NONBLOCK: opening a FIFO write-only would wait for a reader forever. Cleared below.
  Fd fd(::open(path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, mode));
  if (!fd) {
    if (errno == ELOOP) {
      throw UsageError(refusing + "it is a symbolic link" + expected);
    }
    if (errno == ENXIO) {
      throw UsageError(refusing + "it is a FIFO or socket" + expected);
    }
    throw UsageError("cannot open the " + what + " " + path.string() + ": " +
                     std::strerror(errno));
  }
  struct stat status{};
  if (::fstat(fd.get(), &status) != 0) {
    throw UsageError("cannot check the " + what + " " + path.string() + ": " +
                     std::strerror(errno));
  }
  if (!S_ISREG(status.st_mode)) {
    throw UsageError(refusing + "it is not a regular file" + expected);
  }
  if (status.st_uid != ::geteuid()) {
    throw UsageError(refusing + "it is owned by " + owner_text(status.st_uid) + expected);
  }
  if (status.st_nlink != 1) {
    // A hard link planted to another file of ours would make us write into that file.
    throw UsageError(refusing + "it has " + std::to_string(status.st_nlink) + " hard links" +
                     expected);
  }
  const int status_flags = ::fcntl(fd.get(), F_GETFL);
  if (status_flags == -1 || ::fcntl(fd.get(), F_SETFL, status_flags & ~O_NONBLOCK) != 0) {
    throw UsageError("cannot use the " + what + " " + path.string() + ": " +
                     std::strerror(errno));
  }
  return fd;
}

}  // namespace orchestrate
