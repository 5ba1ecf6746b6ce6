#include "run/RunPool.hpp"

#include "docker/ComposeModelCache.hpp"
#include "docker/FixturePorts.hpp"
#include "process/EnvironmentVariables.hpp"

#include <algorithm>

namespace orchestrate {

PoolKey stack_pool_key(const EnvironmentConfig& environment,
                       const std::vector<ComposeService>& services,
                       const std::vector<FixtureConfig>& fixtures)
{
  // The same files as the model cache's key (RunCommand's load_stack_model).
  std::vector<std::filesystem::path> inputs = environment.compose_files;
  for (const auto& service : services) {
    for (const auto& layer : service.layers) {
      inputs.push_back(layer.file);
    }
  }
  const auto compose_inputs = read_compose_model_inputs(
    inputs, environment.compose_files.front().parent_path(), current_environment());
  return make_pool_key(compose_inputs, fixture_published_ports(fixtures));
}

std::uint64_t budget_beside_warm_stacks(std::uint64_t budget, std::uint64_t stack_cost,
                                        int idle_stacks)
{
  const std::uint64_t held = stack_cost * static_cast<std::uint64_t>(std::max(idle_stacks, 0));
  const std::uint64_t left = held < budget ? budget - held : 0;
  return std::max(left, std::min(stack_cost, budget));
}

int warm_stacks_beside(const PoolPlace& place, const PoolKey* key, int parallel)
{
  int idle = 0;
  int claimable = 0;
  for (const auto& stack : list_pool_records(place.pool_dir)) {
    const auto record = key != nullptr ? load_pool_record(place.pool_dir, stack) : std::nullopt;
    if (record && record->key == *key) {
      ++claimable;
    } else {
      ++idle;
    }
  }
  return idle + std::max(claimable - parallel, 0);
}

}  // namespace orchestrate
