#pragma once

#include "config/ProjectConfig.hpp"
#include "config/SuiteConfig.hpp"
#include "docker/ComposeModel.hpp"
#include "docker/DockerEngine.hpp"
#include "reporting/JsonReport.hpp"
#include "reporting/RunEvents.hpp"
#include "resources/StackAdmission.hpp"
#include "runners/TestRunner.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace orchestrate {

// What every shard of one run shares. Built once by the run, read by shard threads; what happens
// to the shards goes to `events` (the run's record and its progress display).
struct RunContext
{
  RunContext(const ProjectConfig& project, const SuiteConfig& suite, TestRunner& runner,
             DockerEngine& engine, RunEvents& events)
    : project(project),
      suite(suite),
      runner(runner),
      engine(engine),
      events(events)
  {
  }

  const ProjectConfig& project;
  const SuiteConfig& suite;
  std::vector<FixtureConfig> fixtures;
  TestRunner& runner;
  DockerEngine& engine;
  RunEvents& events;
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
};

}  // namespace orchestrate
