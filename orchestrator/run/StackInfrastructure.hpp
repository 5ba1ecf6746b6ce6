#pragma once

#include "cleanup/Reaper.hpp"
#include "config/ProjectConfig.hpp"
#include "config/SuiteConfig.hpp"
#include "core/ExitCode.hpp"
#include "docker/ComposeModel.hpp"
#include "docker/DockerEngine.hpp"
#include "locking/EnvironmentLock.hpp"
#include "pool/PoolSettings.hpp"
#include "reporting/RunEvents.hpp"
#include "resources/Preflight.hpp"
#include "resources/ResourceMonitor.hpp"
#include "resources/StackAdmission.hpp"
#include "run/EnginePlacement.hpp"
#include "run/FreshStackProvider.hpp"
#include "run/PooledStackProvider.hpp"
#include "run/RunEngines.hpp"
#include "run/RunRemoval.hpp"
#include "run/StartSlotCount.hpp"

#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// What a run's stack infrastructure is asked for (from the run's options and orchestrate.yaml).
struct StackInfrastructureOptions
{
  std::string environment;
  Milliseconds lock_timeout{0};
  std::uint64_t memory_budget_bytes = 0;
  std::uint64_t memory_floor_bytes = 0;  // new stacks wait while MemAvailable is below it
  int parallel = 1;
  bool keep_on_failure = false;  // what is kept on purpose is neither removed nor handed over
  Milliseconds readiness_timeout{60'000};  // each stack's readiness gate
  Milliseconds stop_timeout{0};            // each stack's `compose down` grace
  PoolSettings pool;  // --reuse: warm stacks claimed from and returned to the pool
  StartSlotSettings start_slots;  // stacks starting at once per engine (StartSlotCount.hpp)
};

// Everything a run needs only because its suite has fixtures (README "What a run does", steps 2-4
// and 6-8), owned by one object that exists only for such a suite: the preflight, the
// environment's lock, the sweep of dead runs' leftovers, the stack's compose model and its policy
// lint, the memory-budget admission with its resource monitor, the reaper with the removal check
// that releases it, and the provider of the shards' stacks. With several engines
// (docs/scale-out.md) the stacks are placed over all of them (EnginePlacement, an admission per
// engine), every engine is swept, the reaper is told them all and each has its removal check;
// the warm-stack pool (--reuse) lives on the main engine only, so with several it is ignored.
// Built in the README's order by the
// constructor, sweep_dead_runs() and prepare() (the run's id and folder exist only once the
// environment is locked, and collection starts between the sweep and the compose model);
// destroyed in reverse: the reaper and the monitor go first, the lock last. Every shard's stack
// must be gone before it is destroyed.
class StackInfrastructure
{
public:
  // Step 2, preflight: of several engines, those after the first that do not answer are left out
  // (a warning each); the first, the main engine, answers and memory suffices (compose, the disk and our container
  // count are asked now and judged later, see require_late_checks()); then step 3, the
  // environment's lock, saying on stderr who holds it while waiting (a project with `engines:`
  // takes it shared, then the environment's lock on each engine: EngineLocks.hpp). Throws EnvironmentError
  // (exit 7) on a failed check, Error for a lock not had (see EnvironmentLock::acquire). With
  // several engines left, --reuse is ignored with a warning: the pool lives on the main engine.
  // `engines`, `project`, `fixtures` and `events` must outlive the object.
  StackInfrastructure(RunEngines& engines, const ProjectConfig& project,
                      const std::vector<FixtureConfig>& fixtures,
                      const StackInfrastructureOptions& options, RunEvents& events);
  ~StackInfrastructure();

  StackInfrastructure(const StackInfrastructure&) = delete;
  StackInfrastructure& operator=(const StackInfrastructure&) = delete;

  // Step 4: removes the leftovers of earlier runs of this project and environment whose owner
  // died (kill -9, a crash, a lost machine) on every engine, saying each as a message (an engine
  // that fails is a warning naming it, and the others are still swept).
  void sweep_dead_runs();

  // Steps 6-8 for run `run_id`, whose folder is `run_dir`: the compose model (from the cache, or
  // `docker compose config` after the late checks), the fixtures checked against it, the policy
  // lint (UsageError naming file:line on a violation), the engines after the main one that lack
  // an image of the stack left out (a warning each), admission and the resource monitor, then
  // the reaper (told every engine through engines.json in `run_dir`), before the run creates
  // anything; then the stack provider: EnginePlacement with several engines, else
  // FreshStackProvider, wrapped by PooledStackProvider with --reuse. Call once, after
  // sweep_dead_runs().
  void prepare(const std::string& run_id, const std::filesystem::path& run_dir);

  // Judges the late preflight checks unless that was done already (EnvironmentError, exit 7, on a
  // FAIL), giving their warnings as events. At the latest before the tests are scheduled.
  void require_late_checks();

  // Says (as a message) when the memory budget (the engines' budgets, summed) lets fewer than
  // `shard_count` stacks run at once: the other shards queue. After prepare().
  void say_if_budget_caps(int shard_count);

  // After prepare():
  const ComposeModel& model() const
  {
    return m_model;
  }
  StackProvider& stack_provider()
  {
    return *m_stacks;
  }
  // The run's one memory admission; null when the stacks are placed over several engines, each
  // admitting by its own budget.
  const StackAdmission* admission() const
  {
    return m_placement ? nullptr : &*m_admission;
  }
  const ResourceMonitor& monitor() const
  {
    return *m_monitor;
  }
  std::uint64_t memory_budget_bytes() const
  {
    return m_options.memory_budget_bytes;
  }

  // The name of the engine `shard`'s stack was last placed on (for the reports). After prepare().
  std::string engine_of(int shard) const;
  // --reuse: marks in `shards` which stacks were claimed warm and how long their reset took.
  void note_warm_stacks(std::vector<ShardTiming>& shards) const;

  // Once every stack of the run is gone: confirms that nothing of the run is left and releases
  // the reaper, else hands the rest over to it (RunRemoval::settle, saying so on stderr; with
  // several engines settle_engine_removals, each engine checked for the stacks `shards` placed
  // on it, so their `engine` must be set). Returns the exit code as the engines' fate makes it.
  // Never throws.
  ExitCode settle(ExitCode exit_code, const std::vector<ShardTiming>& shards);

private:
  RunEngines& m_engines;
  DockerEngine& m_engine;  // the main one: preflight, the resource monitor
  const ProjectConfig& m_project;
  const std::vector<FixtureConfig>& m_fixtures;
  StackInfrastructureOptions m_options;
  RunEvents& m_events;
  // Declared in the order of the steps: destroyed in reverse.
  std::optional<LatePreflight> m_late_preflight;  // empty once judged
  EnvironmentLock m_lock;  // shared with `engines:`: then m_engine_locks keep the engines apart
  std::vector<EnvironmentLock> m_engine_locks;  // one per engine of the run, with `engines:`
  ComposeModel m_model;
  std::optional<StackAdmission> m_admission;     // one engine
  std::optional<EnginePlacement> m_placement;   // several: owns their admissions; its stacks must
                                                // be gone before it is
  std::optional<ResourceMonitor> m_monitor;
  std::optional<StartSlots> m_start_slots;       // one engine; its stacks must be gone before it is
  std::optional<FreshStackProvider> m_provider;  // its stacks must be gone before it is
  std::optional<PooledStackProvider> m_pooled_provider;  // --reuse, one engine: wraps m_provider
  StackProvider* m_stacks = nullptr;  // m_placement, m_pooled_provider or m_provider
  std::optional<RunRemoval> m_removal;       // the main engine's
  std::deque<RunRemoval> m_engine_removals;  // the other engines', when several
  ReaperLaunch m_reaper_launch;
  std::optional<ReaperGuard> m_reaper;  // released only after every stack was torn down
};

}  // namespace orchestrate
