#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace orchestrate {

// The whole content of `file`, bytes as they are; nullopt when it cannot be opened or read (errno
// says why: ENOENT, EISDIR, ENODEV for a cgroup file of a container being removed, ESRCH for a
// /proc file of a process that is gone, ...). Reads with plain read(2), never through iostreams,
// whose stream buffer throws from inside an istreambuf_iterator on a read error. Never throws
// (except std::bad_alloc). Callers turn nullopt into their own error or treat it as "gone".
std::optional<std::string> read_file_text(const std::filesystem::path& file);

}  // namespace orchestrate
