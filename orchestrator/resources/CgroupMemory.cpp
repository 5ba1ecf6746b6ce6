#include "resources/CgroupMemory.hpp"

#include "core/FileText.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace orchestrate {

namespace {

// One place where a container's memory cgroup may be: <root>/<prefix><id><suffix>/, the file that
// holds its usage and the memory.stat key of its inactive file cache.
struct Layout
{
  std::string_view prefix;
  std::string_view suffix;
  std::string_view usage_file;
  std::string_view inactive_file_key;
};

// v1 first: on a hybrid host (v1 controllers, plus the empty v2 tree at unified/) the memory
// controller is v1. On v1 the hierarchical total_ key is what `docker stats` subtracts.
constexpr std::array<Layout, 4> k_layouts{{
  {"memory/docker/", "", "memory.usage_in_bytes", "total_inactive_file"},
  {"memory/system.slice/docker-", ".scope", "memory.usage_in_bytes", "total_inactive_file"},
  {"system.slice/docker-", ".scope", "memory.current", "inactive_file"},
  {"docker/", "", "memory.current", "inactive_file"},
}};

// A whole unsigned number, optionally followed by a newline (cgroup files end with one).
std::optional<std::uint64_t> parse_number(std::string_view text)
{
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || text.empty() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// Engine ids are hex digits; anything else (a '/', "..") must not become part of a path.
bool plausible_container_id(const std::string& id)
{
  return !id.empty() && std::all_of(id.begin(), id.end(), [](unsigned char character) {
    return std::isalnum(character) != 0;
  });
}

std::optional<std::uint64_t> read_usage(const std::filesystem::path& directory,
                                        const Layout& layout)
{
  // read_file_text treats a failed read (ENODEV while the container is being removed) as nullopt:
  // the container is gone, not an error.
  const std::optional<std::string> usage_text = read_file_text(directory / layout.usage_file);
  if (!usage_text) {
    return std::nullopt;
  }
  const std::optional<std::uint64_t> usage = parse_number(*usage_text);
  const std::optional<std::string> stat_text = read_file_text(directory / "memory.stat");
  if (!usage || !stat_text) {
    return std::nullopt;
  }
  // A kernel without the key has no inactive list to subtract: the usage is the answer.
  const std::uint64_t inactive = parse_memory_stat(*stat_text, layout.inactive_file_key).value_or(0);
  return usage_without_inactive_file(*usage, inactive);
}

}  // namespace

std::optional<std::uint64_t> parse_memory_stat(std::string_view stat_text, std::string_view key)
{
  std::size_t line_start = 0;
  while (line_start < stat_text.size()) {
    std::size_t line_end = stat_text.find('\n', line_start);
    if (line_end == std::string_view::npos) {
      line_end = stat_text.size();
    }
    const std::string_view line = stat_text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ' ') {
      return parse_number(line.substr(key.size() + 1));
    }
  }
  return std::nullopt;
}

std::uint64_t usage_without_inactive_file(std::uint64_t usage, std::uint64_t inactive_file)
{
  // As the docker CLI's calculateMemUsageUnixNoCache: never below zero, never "everything".
  return inactive_file < usage ? usage - inactive_file : usage;
}

CgroupMemory::CgroupMemory(std::filesystem::path root)
  : m_root(std::move(root))
{
}

std::optional<std::uint64_t> CgroupMemory::container_usage(const std::string& id)
{
  if (!plausible_container_id(id)) {
    return std::nullopt;
  }
  if (const auto cached = m_locations.find(id); cached != m_locations.end()) {
    if (auto usage = read_usage(cached->second.directory, k_layouts[cached->second.layout])) {
      return usage;
    }
    // Gone, or moved (the engine restarted with another driver): look again below.
    m_locations.erase(cached);
  }
  for (std::size_t index = 0; index < k_layouts.size(); ++index) {
    const Layout& layout = k_layouts[index];
    std::filesystem::path directory = m_root;
    directory /= std::string(layout.prefix) + id + std::string(layout.suffix);
    if (auto usage = read_usage(directory, layout)) {
      m_locations.insert_or_assign(id, Location{std::move(directory), index});
      return usage;
    }
  }
  return std::nullopt;
}

std::optional<std::filesystem::path> CgroupMemory::cached_directory(const std::string& id) const
{
  const auto found = m_locations.find(id);
  if (found == m_locations.end()) {
    return std::nullopt;
  }
  return found->second.directory;
}

void CgroupMemory::forget_all_but(const std::set<std::string>& ids)
{
  std::erase_if(m_locations, [&](const auto& entry) { return !ids.contains(entry.first); });
}

}  // namespace orchestrate
