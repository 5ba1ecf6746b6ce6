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

// Writes `text` to a temporary file beside `file`, then renames it over `file`: a reader sees the
// old content or the new, never half of it (two runs may write one cache at once). Throws
// std::runtime_error naming the file and the reason; leaves no temporary file behind.
void write_file_atomically(const std::filesystem::path& file, const std::string& text);

}  // namespace orchestrate
