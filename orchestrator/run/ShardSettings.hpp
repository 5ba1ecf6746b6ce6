#pragma once

#include "config/ProjectConfig.hpp"
#include "config/SuiteConfig.hpp"
#include "docker/ComposeModel.hpp"
#include "docker/DockerEngine.hpp"
#include "reporting/RunEvents.hpp"
#include "resources/StackAdmission.hpp"
#include "run/RunOptions.hpp"
#include "runners/TestRunner.hpp"

#include <filesystem>
#include <future>
#include <string>
#include <vector>

namespace orchestrate {

// What every shard of a run is set up with, fixed before the first shard opens: built once, then
// only read, by any number of shard threads, without locks.
struct ShardSettings
{
  std::string project_prefix;
  std::string environment;
  std::string run_id;
  std::string owner_label;  // the run's owner, as the stacks' labels carry it
  std::filesystem::path run_dir;
  std::vector<std::filesystem::path> compose_files;
  std::vector<FixtureConfig> fixtures;  // none: the shards get no stack
  ComposeModel model;
  Milliseconds readiness_timeout{60'000};
  Milliseconds stop_timeout{0};
  Milliseconds test_timeout{0};  // per test; 0: none
  bool keep_on_failure = false;
};

// The settings of run `run_id` (folder `run_dir`) from its options, orchestrate.yaml and the
// suite; `model` is the stack's compose model (empty without fixtures).
ShardSettings make_shard_settings(const ProjectConfig& project, const SuiteConfig& suite,
                                  const RunOptions& options,
                                  const std::vector<FixtureConfig>& fixtures,
                                  const std::string& run_id, const std::filesystem::path& run_dir,
                                  const ComposeModel& model);

// The run's services a shard works with. None is owned: each outlives every shard.
struct ShardServices
{
  TestRunner& runner;
  DockerEngine& engine;
  RunEvents& events;
  StackAdmission* admission = nullptr;  // memory-budget gate for stacks; null: no stacks
  // How many shards the run has, handed over once, when the tests are selected (shard 1 may open
  // before that). Ready before any shard runs a batch.
  std::shared_future<int> shard_count;
};

}  // namespace orchestrate
