#include "policy/YamlMergeKeys.hpp"

#include <set>
#include <string>

namespace orchestrate {

namespace {

// Aliases can make a merge refer back to itself; no real file nests merges this deep.
constexpr int k_max_merge_depth = 32;

// A plain `<<` is the merge key; a quoted "<<" (tag "!") is an ordinary key.
bool is_merge_key(const YAML::Node& key)
{
  return key.IsScalar() && key.Scalar() == "<<" && key.Tag() != "!";
}

void collect_entries(const YAML::Node& mapping,
                     int depth,
                     std::set<std::string>& seen,
                     std::vector<YamlEntry>& entries)
{
  if (!mapping.IsMap() || depth > k_max_merge_depth) {
    return;
  }
  std::vector<YAML::Node> merged;
  for (auto it = mapping.begin(); it != mapping.end(); ++it) {
    if (is_merge_key(it->first)) {
      merged.push_back(it->second);
    } else if (it->first.IsScalar() && seen.insert(it->first.Scalar()).second) {
      entries.push_back({it->first, it->second});
    }
  }
  // Keys written in the mapping itself win over merged ones, so merges are applied after them.
  for (const auto& source : merged) {
    if (source.IsSequence()) {
      for (const auto& item : source) {
        collect_entries(item, depth + 1, seen, entries);
      }
    } else {
      collect_entries(source, depth + 1, seen, entries);
    }
  }
}

}  // namespace

std::vector<YamlEntry> merged_entries(const YAML::Node& mapping)
{
  std::vector<YamlEntry> entries;
  std::set<std::string> seen;
  collect_entries(mapping, 0, seen, entries);
  return entries;
}

std::optional<YamlEntry> find_merged(const YAML::Node& mapping, std::string_view key)
{
  for (auto& entry : merged_entries(mapping)) {
    if (entry.key.Scalar() == key) {
      return entry;
    }
  }
  return std::nullopt;
}

}  // namespace orchestrate
