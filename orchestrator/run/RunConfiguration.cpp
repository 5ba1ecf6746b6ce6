#include "run/RunConfiguration.hpp"

#include "pool/PoolSettings.hpp"

#include "config/ConfigLoader.hpp"
#include "core/Error.hpp"
#include "environments/EnvironmentLookup.hpp"
#include "run/OutputPaths.hpp"
#include "run/ShardCountChoice.hpp"

#include <filesystem>

namespace orchestrate {

namespace {

std::vector<FixtureConfig> load_fixtures(const ProjectConfig& project, const SuiteConfig& suite)
{
  std::vector<FixtureConfig> fixtures;
  for (const auto& name : suite.fixtures) {
    fixtures.push_back(load_fixture_config(project, name));
  }
  return fixtures;
}

}  // namespace

RunConfiguration load_run_configuration(const RunOptions& options)
{
  RunConfiguration config;
  config.project = load_project_config(std::filesystem::absolute(options.project_dir));
  config.setup = prepare_run_selection(config.project, options);
  config.fixtures = load_fixtures(config.project, config.setup.suite);
  find_environment(config.project, options.environment);  // an unknown one is a usage error
  config.parallel_auto =
    options.parallel_auto || (!options.parallel && config.project.defaults.parallel_auto);
  config.parallel = config.parallel_auto
                      ? k_auto_shard_limit
                      : options.parallel.value_or(config.project.defaults.parallel);
  if (config.parallel < 1) {
    throw UsageError("--parallel must be at least 1");
  }
  check_output_paths(config.project, options);
  config.memory_budget_bytes =
    options.memory_budget_bytes.value_or(config.project.memory_budget_bytes);
  return config;
}

StackInfrastructureOptions stack_infrastructure_options(const RunConfiguration& config,
                                                        const RunOptions& options)
{
  StackInfrastructureOptions infrastructure;
  infrastructure.environment = options.environment;
  infrastructure.lock_timeout =
    options.lock_timeout.value_or(config.project.defaults.lock_timeout);
  infrastructure.memory_budget_bytes = config.memory_budget_bytes;
  infrastructure.memory_floor_bytes = options.memory_floor_bytes;
  infrastructure.parallel = config.parallel;
  infrastructure.keep_on_failure = options.keep_on_failure;
  infrastructure.readiness_timeout =
    options.readiness_timeout.value_or(config.project.defaults.readiness_timeout);
  infrastructure.stop_timeout = config.project.defaults.stop_timeout;
  infrastructure.start_slots = {options.start_slots, config.project.defaults.start_slots};
  infrastructure.pool = resolve_pool_settings(options.reuse, options.reuse_ttl, config.setup.suite,
                                              config.project.defaults);
  return infrastructure;
}

}  // namespace orchestrate
