#pragma once

#include "process/Fd.hpp"

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace orchestrate {

// Opens (with O_CREAT in `flags`: creates with `mode`) a file this process keeps state in, in a
// folder others may share: lock files, the reaper's lock and log. `flags` gets O_NOFOLLOW,
// O_CLOEXEC and O_NOCTTY added. After the open, the file itself (fstat of the descriptor, so no
// one can swap it in between) must be a regular file with one link, owned by the effective user:
// a symlink planted at `path` (pointing at /etc/passwd, say) is never followed, so a root run
// cannot be made to truncate or append to someone else's file, and a FIFO cannot block us.
//
// Returns the descriptor, owned by the caller. Throws UsageError naming `what` ("lock file"),
// the path and the reason (a symbolic link, not a regular file, owned by uid N, ...) when it
// cannot be opened or is refused.
Fd open_owned_file(const std::filesystem::path& path, int flags, const std::string& what,
                   mode_t mode = 0644);

}  // namespace orchestrate
