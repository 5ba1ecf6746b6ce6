#include "run/RunFolders.hpp"

#include "core/Error.hpp"
#include "core/OwnedFile.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace orchestrate {

namespace {

constexpr const char* k_lock_name = "run.lock";

// Whether the run that owns `folder` is still going: it holds an flock on its run.lock. A folder
// without one (an older orchestrate, or one being created this instant) is not in use.
bool in_use(const std::filesystem::path& folder)
{
  Fd fd(::open((folder / k_lock_name).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd) {
    return false;
  }
  while (::flock(fd.get(), LOCK_SH | LOCK_NB) != 0) {
    if (errno != EINTR) {
      return errno == EWOULDBLOCK;
    }
  }
  return false;
}

}  // namespace

RunFolder::RunFolder(std::filesystem::path path, Fd lock)
  : m_path(std::move(path)),
    m_lock(std::move(lock))
{
}

RunFolder RunFolder::create(const std::filesystem::path& runs_dir, const std::string& run_id,
                            int keep)
{
  std::filesystem::path path = runs_dir / run_id;
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) {
    throw UsageError("cannot create the run folder " + path.string() + ": " + error.message() +
                     "; check state_dir in orchestrate.yaml");
  }
  Fd lock = open_owned_file(path / k_lock_name, O_RDWR | O_CREAT, "run folder lock");
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    throw InternalError("cannot lock " + (path / k_lock_name).string() + ": " +
                        std::strerror(errno));
  }
  RunFolder folder(std::move(path), std::move(lock));
  if (keep > 0) {
    prune_run_folders(runs_dir, keep);
  }
  return folder;
}

std::vector<std::filesystem::path> prune_run_folders(const std::filesystem::path& runs_dir,
                                                     int keep)
{
  std::vector<std::pair<std::filesystem::file_time_type, std::filesystem::path>> folders;
  std::error_code error;
  std::filesystem::directory_iterator entry(runs_dir, error);
  for (; !error && entry != std::filesystem::directory_iterator(); entry.increment(error)) {
    std::error_code ignored;
    if (entry->is_symlink(ignored) || !entry->is_directory(ignored)) {
      continue;
    }
    const auto modified = std::filesystem::last_write_time(entry->path(), ignored);
    if (!ignored) {
      folders.emplace_back(modified, entry->path());
    }
  }
  std::vector<std::filesystem::path> removed;
  if (folders.size() <= static_cast<std::size_t>(std::max(keep, 0))) {
    return removed;
  }
  // Newest first; ties by name, so the order never depends on the directory listing.
  std::sort(folders.begin(), folders.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first
                                                                         : a.second > b.second; });
  for (std::size_t index = static_cast<std::size_t>(keep); index < folders.size(); ++index) {
    const std::filesystem::path& folder = folders[index].second;
    if (in_use(folder)) {
      spdlog::debug("run folders: keeping {}: its run is still going", folder.string());
      continue;
    }
    std::error_code removal;
    std::filesystem::remove_all(folder, removal);
    if (removal) {
      spdlog::warn("cannot remove the old run folder {}: {}", folder.string(), removal.message());
      continue;
    }
    removed.push_back(folder);
  }
  if (!removed.empty()) {
    spdlog::debug("run folders: removed {} old folder(s) of {}, keeping the newest {}",
                  removed.size(), runs_dir.string(), keep);
  }
  return removed;
}

}  // namespace orchestrate
