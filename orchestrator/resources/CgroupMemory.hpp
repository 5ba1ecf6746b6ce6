#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace orchestrate {

inline const std::filesystem::path k_cgroup_root = "/sys/fs/cgroup";

// The value of `key` in the text of a cgroup memory.stat file ("total_inactive_file 14266368"
// lines); nullopt when the key is missing or its value malformed. Keys match whole words:
// "inactive_file" does not match "total_inactive_file". Never throws.
std::optional<std::uint64_t> parse_memory_stat(std::string_view stat_text, std::string_view key);

// What `docker stats` shows as MEM USAGE: the cgroup's usage minus its inactive file cache (page
// cache the kernel drops first), or the whole usage when the inactive part is not smaller.
std::uint64_t usage_without_inactive_file(std::uint64_t usage, std::uint64_t inactive_file);

// Reads the memory use of Docker containers from their cgroup files, with no process and no Engine
// API call: a sample of a container is two small file reads. The numbers are the very ones the
// engine reports as stats, computed as `docker stats` does (usage_without_inactive_file):
//
//   cgroup v1, cgroupfs driver  <root>/memory/docker/<id>/
//   cgroup v1, systemd driver   <root>/memory/system.slice/docker-<id>.scope/
//     memory.usage_in_bytes minus total_inactive_file of memory.stat
//   cgroup v2, systemd driver   <root>/system.slice/docker-<id>.scope/
//   cgroup v2, cgroupfs driver  <root>/docker/<id>/
//     memory.current minus inactive_file of memory.stat
//
// Other layouts (a rootless engine, a custom --cgroup-parent) are not found: container_usage()
// then answers nullopt and the caller asks the engine instead. The directory found for a container
// is cached until it cannot be read any more or forget_all_but() drops it. Not thread-safe: one
// sampling thread owns it.
class CgroupMemory
{
public:
  // `root` is where the cgroup hierarchies are mounted (tests pass a fake tree).
  explicit CgroupMemory(std::filesystem::path root = k_cgroup_root);

  // MEM USAGE in bytes of container `id` (the full 64-hex-digit id, as the Engine API lists it);
  // nullopt when no layout above has its files, or they cannot be read or parsed (the container
  // is gone, or its cgroup lives elsewhere). Never throws.
  std::optional<std::uint64_t> container_usage(const std::string& id);

  // The cgroup directory last read for `id`; nullopt if none is cached. For tests and logs.
  std::optional<std::filesystem::path> cached_directory(const std::string& id) const;

  // Drops the cached directories of containers not in `ids` (those that stopped), so the cache
  // stays as small as the set of running containers.
  void forget_all_but(const std::set<std::string>& ids);

private:
  struct Location
  {
    std::filesystem::path directory;
    std::size_t layout;  // index into the layouts above (CgroupMemory.cpp)
  };

  std::filesystem::path m_root;
  std::map<std::string, Location> m_locations;
};

}  // namespace orchestrate
