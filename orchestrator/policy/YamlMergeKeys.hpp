#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace orchestrate {

// yaml-cpp 0.7 resolves anchors and aliases (`*x` is the anchored node itself) but not YAML's merge
// key: `<<: *defaults` stays an ordinary key named "<<". Compose files use merge keys a lot
// (`healthcheck: {<<: *timing, test: ...}`), so every lookup in a compose mapping goes through
// these functions, which apply merge keys as YAML 1.1 defines them.

// One key of a mapping with its value. `key` keeps its position (Mark()) in the file: for a key
// that came in through a merge key, that is where the anchored mapping writes it.
struct YamlEntry
{
  YamlEntry(YAML::Node key_node, YAML::Node value_node)
    : key(std::move(key_node)),
      value(std::move(value_node))
  {
  }

  YamlEntry(const YamlEntry&) = default;

  // yaml-cpp's Node::operator= writes the right-hand value into the node the handle refers to,
  // i.e. into the parsed document; assigning an entry must only rebind the handles.
  YamlEntry& operator=(const YamlEntry& other)
  {
    key.reset(other.key);
    value.reset(other.value);
    return *this;
  }

  YAML::Node key;
  YAML::Node value;
};

// The entries of `mapping` with merge keys applied: its own keys first, in file order, then the
// keys of the merged mappings that it does not set itself (of a merged list, earlier mappings win).
// Keys that are not scalars are left out. Empty when `mapping` is not a mapping. Throws nothing.
std::vector<YamlEntry> merged_entries(const YAML::Node& mapping);

// The entry of `key` in `mapping` with merge keys applied, or nullopt when there is none (or
// `mapping` is not a mapping). Throws nothing.
std::optional<YamlEntry> find_merged(const YAML::Node& mapping, std::string_view key);

}  // namespace orchestrate
