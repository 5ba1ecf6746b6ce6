#pragma once

#include "config/ProjectConfig.hpp"
#include "config/SuiteConfig.hpp"
#include "docker/ComposeModel.hpp"
#include "docker/DockerEngine.hpp"
#include "reporting/JsonReport.hpp"
#include "reporting/ProgressReporter.hpp"
#include "reporting/RunTimeline.hpp"
#include "resources/StackAdmission.hpp"
#include "run/StackProvider.hpp"
#include "run/WorkerCollection.hpp"
#include "runners/PytestWorker.hpp"
#include "runners/TestRunner.hpp"

#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// What every shard of one run shares. Built once by the run, read by shard threads; the timing
// records are the only mutable part and are guarded.
struct RunContext
{
  RunContext(const ProjectConfig& project, const SuiteConfig& suite, TestRunner& runner,
             DockerEngine& engine, ProgressReporter& reporter)
    : project(project),
      suite(suite),
      runner(runner),
      engine(engine),
      reporter(reporter)
  {
  }

  const ProjectConfig& project;
  const SuiteConfig& suite;
  std::vector<FixtureConfig> fixtures;
  TestRunner& runner;
  DockerEngine& engine;
  ProgressReporter& reporter;
  std::string environment;
  std::string run_id;
  std::string owner_label;
  std::filesystem::path run_dir;
  std::vector<std::filesystem::path> compose_files;
  ComposeModel model;
  int shard_count = 1;
  Milliseconds readiness_timeout{60'000};
  Milliseconds stop_timeout{0};
  Milliseconds test_timeout{0};
  bool keep_on_failure = false;
  StackAdmission* admission = nullptr;  // memory-budget gate for stacks; null: no stacks
  StackProvider* stacks = nullptr;      // where shards get their stacks; null: no fixtures
  // Set for pytest suites: each shard runs one persistent worker fed test by test (the log file
  // is the shard's). Unset: batches through `runner`.
  std::optional<PytestWorkerOptions> pytest_worker;
  // Set with pytest_worker: shard 1's worker delivers the suite's collection here.
  WorkerCollection* worker_collection = nullptr;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  RunTimelineRecorder timeline;  // each shard's phases and tests, for --trace, --html and report

  // Records one shard's timings (thread-safe).
  void record_shard(const ShardTiming& timing);
  // Notes that a test batch started; the first call fixes the time to first test.
  void note_first_test();
  // Notes that a stack's `compose up` starts; the first call fixes the start-up overhead (config,
  // preflight, lock, sweep, compose model, lint: everything before the first `up`).
  void note_first_up();

  std::vector<ShardTiming> shard_timings() const;
  std::optional<Milliseconds> time_to_first_test() const;
  std::optional<Milliseconds> time_to_first_up() const;

private:
  mutable std::mutex m_mutex;
  std::vector<ShardTiming> m_shard_timings;
  std::optional<Milliseconds> m_time_to_first_test;
  std::optional<Milliseconds> m_time_to_first_up;
};

}  // namespace orchestrate
