#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace orchestrate {

inline const std::filesystem::path k_proc_meminfo = "/proc/meminfo";

// MemAvailable in bytes from the text of /proc/meminfo ("MemAvailable:   23885424 kB"): the
// kernel's estimate of what can be allocated without swapping, page cache included. Returns nullopt
// when the line is missing (kernels before 3.14) or malformed. Never throws.
std::optional<std::uint64_t> parse_mem_available(std::string_view meminfo_text);

// Reads `path` (normally /proc/meminfo) and parses it as above. nullopt when it cannot be read.
// Never throws.
std::optional<std::uint64_t> read_mem_available(const std::filesystem::path& path = k_proc_meminfo);

}  // namespace orchestrate
