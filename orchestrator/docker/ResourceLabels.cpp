#include "docker/ResourceLabels.hpp"

namespace orchestrate {

std::map<std::string, std::string> ownership_labels(const StackOwnership& ownership)
{
  return {
    {labels::k_managed, "true"},
    {labels::k_project, ownership.project_prefix},
    {labels::k_environment, ownership.environment},
    {labels::k_run, ownership.run_id},
    {labels::k_shard, std::to_string(ownership.shard)},
    {labels::k_stack, ownership.stack},
    {labels::k_owner, ownership.owner},
    {labels::k_created, std::to_string(ownership.created_unix_seconds)},
  };
}

std::string label_filter(const std::string& key, const std::string& value)
{
  return key + "=" + value;
}

}  // namespace orchestrate
