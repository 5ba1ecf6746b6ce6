#pragma once

#include "config/ProjectConfig.hpp"
#include "config/SuiteConfig.hpp"
#include "run/RunOptions.hpp"
#include "run/RunSelectionSetup.hpp"
#include "run/StackInfrastructure.hpp"

#include <cstdint>
#include <vector>

namespace orchestrate {

// What `orchestrate run` works with, read and checked before anything starts (README "What a run
// does", step 1).
struct RunConfiguration
{
  ProjectConfig project;
  RunSelectionSetup setup;  // the suite, and what narrows it
  std::vector<FixtureConfig> fixtures;  // the suite's; none: the run starts no stack
  // --parallel auto (or the project's default): the count is chosen once the tests are selected
  // (ShardCountChoice); until then `parallel` is k_auto_shard_limit and only the memory budget
  // limits the stacks.
  bool parallel_auto = false;
  int parallel = 1;
  std::uint64_t memory_budget_bytes = 0;
};

// Loads orchestrate.yaml, the suite and its fixtures for `options`. Throws ConfigError for a bad
// file, UsageError for an unknown suite or environment, --parallel below 1, or a report path
// that cannot be written (all exit 4, before anything starts).
RunConfiguration load_run_configuration(const RunOptions& options);

// What the run's stack infrastructure is asked for.
StackInfrastructureOptions stack_infrastructure_options(const RunConfiguration& config,
                                                        const RunOptions& options);

}  // namespace orchestrate
