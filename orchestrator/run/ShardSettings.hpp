#pragma once

#include "config/ProjectConfig.hpp"
#include "config/SuiteConfig.hpp"
#include "reporting/RunEvents.hpp"
#include "run/RunOptions.hpp"
#include "run/StackProvider.hpp"
#include "run/WorkerCollection.hpp"
#include "runners/PytestWorker.hpp"
#include "runners/TestRunner.hpp"

#include <filesystem>
#include <future>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// What every shard of a run is set up with, fixed before the first shard opens: built once, then
// only read, by any number of shard threads, without locks.
struct ShardSettings
{
  std::string suite;  // its name, for messages
  std::string run_id;
  std::filesystem::path run_dir;
  std::vector<FixtureConfig> fixtures;  // none: the shards get no stack
  Milliseconds test_timeout{0};         // per test; 0: none
  bool keep_on_failure = false;
  // The shards asked for (--parallel): ORCHESTRATE_SHARD_COUNT until the tests are selected,
  // when it may turn out fewer (ShardServices::shard_count).
  int parallel = 1;
  // Set for pytest suites: each shard runs one persistent worker fed test by test (the log file
  // is the shard's). Unset: batches through ShardServices::runner.
  std::optional<PytestWorkerOptions> pytest_worker;
};

// The settings of run `run_id` (folder `run_dir`) from its options, orchestrate.yaml and the
// suite; `parallel` is the shards asked for.
ShardSettings make_shard_settings(const ProjectConfig& project, const SuiteConfig& suite,
                                  const RunOptions& options, int parallel,
                                  const std::vector<FixtureConfig>& fixtures,
                                  const std::string& run_id, const std::filesystem::path& run_dir);

// The run's services a shard works with. None is owned: each outlives every shard.
struct ShardServices
{
  TestRunner& runner;  // runs batches when the suite has no pytest worker
  RunEvents& events;
  StackProvider* stacks = nullptr;  // where shards get their stacks; null: no fixtures
  // Set with ShardSettings::pytest_worker: shard 1's worker delivers the suite's collection here.
  WorkerCollection* worker_collection = nullptr;
  // How many shards the run has, handed over once, when the tests are selected (shard 1 may open
  // before that). Ready before any shard runs a batch.
  std::shared_future<int> shard_count;
};

}  // namespace orchestrate
