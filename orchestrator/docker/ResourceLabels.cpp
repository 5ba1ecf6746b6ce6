#include "docker/ResourceLabels.hpp"

#include <charconv>

namespace orchestrate {

std::map<std::string, std::string> ownership_labels(const StackOwnership& ownership)
{
  std::map<std::string, std::string> result{
    {labels::k_managed, "true"},
    {labels::k_project, ownership.project_prefix},
    {labels::k_environment, ownership.environment},
    {labels::k_run, ownership.run_id},
    {labels::k_shard, std::to_string(ownership.shard)},
    {labels::k_stack, ownership.stack},
    {labels::k_owner, ownership.owner},
    {labels::k_created, std::to_string(ownership.created_unix_seconds)},
  };
  if (!ownership.pool.empty()) {
    result[labels::k_pool] = ownership.pool;
  }
  return result;
}

StackOwnership ownership_from_labels(const std::map<std::string, std::string>& resource_labels)
{
  const auto text = [&](const char* key) {
    const auto found = resource_labels.find(key);
    return found == resource_labels.end() ? std::string() : found->second;
  };
  StackOwnership ownership;
  ownership.project_prefix = text(labels::k_project);
  ownership.environment = text(labels::k_environment);
  ownership.run_id = text(labels::k_run);
  ownership.stack = text(labels::k_stack);
  ownership.owner = text(labels::k_owner);
  ownership.pool = text(labels::k_pool);
  const auto shard = text(labels::k_shard);
  std::from_chars(shard.data(), shard.data() + shard.size(), ownership.shard);
  const auto created = text(labels::k_created);
  std::from_chars(created.data(), created.data() + created.size(), ownership.created_unix_seconds);
  return ownership;
}

std::string label_filter(const std::string& key, const std::string& value)
{
  return key + "=" + value;
}

}  // namespace orchestrate
