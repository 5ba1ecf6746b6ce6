#pragma once

#include "config/ProjectConfig.hpp"

#include <string>

namespace orchestrate {

// The name of the environment that belongs to test runs: one throwaway stack per shard, never a
// long-lived stack of its own.
inline constexpr const char* k_test_environment = "test";

// The environment `name` of orchestrate.yaml. Throws UsageError naming the file and the
// environments it defines when there is no such environment. The reference points into `project`.
const EnvironmentConfig& find_environment(const ProjectConfig& project, const std::string& name);

// Like find_environment(), for `orchestrate env`: also throws UsageError for the test environment,
// whose stacks belong to runs (`orchestrate --suite ...` brings them up and down per shard).
const EnvironmentConfig& find_long_lived_environment(const ProjectConfig& project,
                                                     const std::string& name);

}  // namespace orchestrate
