#pragma once

#include "process/Fd.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace orchestrate {

// The folder of one run, `<runs_dir>/<run id>` (its logs: a chatty suite writes hundreds of MB a
// run, hence the pruning, `keep_runs` in orchestrate.yaml), marked as in use for as long as this object
// lives: it holds an flock on `<folder>/run.lock`, which the kernel drops however the run ends,
// so pruning by another run never removes the folder of a run that is still going. Move-only.
class RunFolder
{
public:
  // Creates the folder and marks it in use, then prunes older folders (prune_run_folders) so that
  // `keep` folders are left, this one included; `keep` 0 prunes nothing. Throws UsageError naming
  // the folder when it cannot be created.
  static RunFolder create(const std::filesystem::path& runs_dir, const std::string& run_id,
                          int keep);

  const std::filesystem::path& path() const
  {
    return m_path;
  }

private:
  RunFolder(std::filesystem::path path, Fd lock);

  std::filesystem::path m_path;
  Fd m_lock;
};

// Removes the folders of `runs_dir` beyond the `keep` most recently modified, except a folder
// whose run is still going (its run.lock is held). Files and symlinks in `runs_dir` are left
// alone. Returns the folders removed. Never throws: what cannot be removed is logged.
std::vector<std::filesystem::path> prune_run_folders(const std::filesystem::path& runs_dir,
                                                     int keep);

}  // namespace orchestrate
