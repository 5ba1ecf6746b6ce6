#include "pool/StackClaim.hpp"

#include "core/FileText.hpp"
#include "core/OwnedFile.hpp"
#include "locking/OwnerIdentity.hpp"

#include <cerrno>
#include <ctime>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace orchestrate {

namespace {

bool take_flock(int fd, int operation)
{
  while (::flock(fd, operation | LOCK_NB) != 0) {
    if (errno != EINTR) {
      return false;
    }
  }
  return true;
}

std::string utc_now_text()
{
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  ::gmtime_r(&now, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return buffer;
}

}  // namespace

std::filesystem::path stack_claim_path(const std::filesystem::path& lock_dir,
                                       const std::string& stack)
{
  return lock_dir / "pool" / (stack + ".lock");
}

StackClaim::StackClaim(Fd fd, std::string stack, std::filesystem::path path)
  : m_fd(std::move(fd)), m_stack(std::move(stack)), m_path(std::move(path))
{
}

std::optional<StackClaim> StackClaim::try_claim(const std::filesystem::path& lock_dir,
                                                const std::string& stack)
{
  const auto path = stack_claim_path(lock_dir, stack);
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  Fd fd = open_owned_file(path, O_RDWR | O_CREAT, "pool claim file");
  if (!take_flock(fd.get(), LOCK_EX)) {
    return std::nullopt;
  }
  const auto owner = current_owner();
  const std::string text = "pid " + std::to_string(owner.pid) + " on " + owner.host + " since " +
                           utc_now_text();
  // Only for `pool status`: the claim itself is the flock.
  if (::ftruncate(fd.get(), 0) != 0 ||
      ::pwrite(fd.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    // Not fatal: status then cannot say who holds it.
  }
  return StackClaim(std::move(fd), stack, path);
}

std::string StackClaim::holder(const std::filesystem::path& lock_dir, const std::string& stack)
{
  const auto path = stack_claim_path(lock_dir, stack);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK));
  struct stat status{};
  if (!fd || ::fstat(fd.get(), &status) != 0 || !S_ISREG(status.st_mode)) {
    return "";
  }
  if (take_flock(fd.get(), LOCK_SH)) {
    return "";  // nobody holds it; closing fd drops our test lock
  }
  const auto text = read_file_text(path).value_or("");
  return text.empty() ? "a process that did not say who it is" : text;
}

void StackClaim::release_and_remove_file() noexcept
{
  if (!m_fd) {
    return;
  }
  std::error_code error;
  std::filesystem::remove(m_path, error);
  m_fd.close();
}

}  // namespace orchestrate
