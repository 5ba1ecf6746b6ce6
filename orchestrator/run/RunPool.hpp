#pragma once

#include "config/ProjectConfig.hpp"
#include "config/SuiteConfig.hpp"
#include "docker/ComposeModel.hpp"
#include "policy/ComposeServices.hpp"
#include "pool/PoolInventory.hpp"
#include "pool/PoolKey.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace orchestrate {

// The pool's part in a run (docs/warm-stacks.md): what run_suite asks about warm stacks.

// The pool key of `environment`'s stacks: the compose model's inputs exactly as the model cache
// reads them (the compose files, the files their `extends` name, .env, the variables they
// interpolate and COMPOSE_*), with the fixtures' published ports. Reads files, spawns nothing.
PoolKey stack_pool_key(const EnvironmentConfig& environment,
                       const std::vector<ComposeService>& services,
                       const std::vector<FixtureConfig>& fixtures);

// The memory budget left for a run's own stacks once the warm stacks that stay idle in the pool
// beside it are counted: they keep their memory. `idle_stacks` is how many (warm_stacks_beside).
// Never less than one stack's cost, so that the run can always go on. Pure.
std::uint64_t budget_beside_warm_stacks(std::uint64_t budget, std::uint64_t stack_cost,
                                        int idle_stacks);

// How many warm stacks of `place` stay idle during a run: every recorded one for a run without
// --reuse (`key` null), else those of another key plus the ones of the run's key beyond the
// `parallel` it may claim. Reads the records only (no engine call). Never throws.
int warm_stacks_beside(const PoolPlace& place, const PoolKey* key, int parallel);

}  // namespace orchestrate
