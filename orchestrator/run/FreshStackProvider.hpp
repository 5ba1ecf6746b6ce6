#pragma once

#include "config/SuiteConfig.hpp"
#include "docker/ComposeModel.hpp"
#include "docker/DockerEngine.hpp"
#include "resources/StackAdmission.hpp"
#include "run/StackProvider.hpp"
#include "run/StartSlots.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace orchestrate {

// What every stack of one run has in common.
struct FreshStackSettings
{
  std::string project_prefix;
  std::string environment;
  std::string run_id;
  std::string owner_label;
  std::vector<std::filesystem::path> compose_files;
  ComposeModel model;
  std::vector<FixtureConfig> fixtures;
  Milliseconds readiness_timeout{60'000};
  Milliseconds stop_timeout{0};
  std::string pool;  // --reuse: the pool's label (pool_label()), on every stack; else ""
};

// The default provider: every shard gets a new compose project of its own on the one engine,
// named after the run and the shard, labelled as ours, admitted by the memory budget (when
// `admission` is set), started a few at a time (when `start_slots` is set) and removed when
// released.
class FreshStackProvider : public StackProvider
{
public:
  // `engine`, `admission` and `start_slots` (both optional) must outlive the provider and its
  // stacks.
  FreshStackProvider(FreshStackSettings settings, DockerEngine& engine,
                     StackAdmission* admission, StartSlots* start_slots = nullptr);

  std::unique_ptr<ShardStack> provide(int shard, const std::filesystem::path& shard_dir) override;

private:
  FreshStackSettings m_settings;
  DockerEngine& m_engine;
  StackAdmission* m_admission;
  StartSlots* m_start_slots;
};

}  // namespace orchestrate
