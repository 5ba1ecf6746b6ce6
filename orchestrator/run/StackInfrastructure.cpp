#include "run/StackInfrastructure.hpp"

#include "cleanup/StaleSweep.hpp"
#include "core/Error.hpp"
#include "docker/ComposeCli.hpp"
#include "docker/ComposeModelCache.hpp"
#include "docker/EngineEndpointFile.hpp"
#include "docker/FixturePorts.hpp"
#include "docker/ProjectName.hpp"
#include "environments/EnvironmentLookup.hpp"
#include "locking/OwnerIdentity.hpp"
#include "policy/ComposeLint.hpp"
#include "policy/ComposeServices.hpp"
#include "policy/ProjectLintOptions.hpp"
#include "process/EnvironmentVariables.hpp"
#include "run/EngineImages.hpp"
#include "run/EngineLocks.hpp"
#include "run/EngineRemovals.hpp"
#include "run/RunPool.hpp"

#include <cstdio>
#include <functional>
#include <spdlog/spdlog.h>

namespace orchestrate {

namespace {

// The main engine of `engines`, once the others that do not answer now are left out (a warning
// each): the run places no stack on them. The main one is judged by the preflight.
DockerEngine& main_engine_of(RunEngines& engines, RunEvents& events)
{
  engines.leave_out_silent_engines([&](const std::string& line) { events.warning(line); });
  return engines.main();
}

// The run's options as its engines allow: the warm-stack pool lives on the main engine only, so
// with several engines --reuse is ignored, with a warning (docs/warm-stacks.md).
StackInfrastructureOptions options_for_engines(const RunEngines& engines,
                                               StackInfrastructureOptions options,
                                               RunEvents& events)
{
  if (options.pool.reuse && engines.several()) {
    events.warning("--reuse works on one engine only: this run uses several, so its stacks are "
                   "fresh and removed at the end");
    options.pool.reuse = false;
  }
  return options;
}

// Before anything waits or starts: the engine answers and memory suffices. Refuses with what to
// do (exit 7). Compose, the disk and our container count take 10-250 ms to answer: asked now,
// judged once the run needs compose or at the latest before the tests are scheduled, so that the
// first stack need not wait for them.
LatePreflight check_engine_and_memory(DockerEngine& engine, const ProjectConfig& project,
                                      const StackInfrastructureOptions& options, RunEvents& events)
{
  PreflightOptions preflight;
  preflight.memory_budget_bytes = options.memory_budget_bytes;
  preflight.project_prefix = project.prefix;
  preflight.compose_version_cache = project.state_dir / "cache" / "compose-version.json";
  auto late = LatePreflight::start(engine, preflight);
  preflight.engine_and_memory_only = true;
  for (const auto& warning : run_preflight(engine, preflight).warnings()) {
    events.warning(warning);
  }
  return late;
}

// Two runs on one environment would fight over its resources: wait for the environment's lock,
// saying who holds it. Runs of other environments (dev) do not wait, and neither do suites that
// start no stack: they share nothing. A project with `engines:` takes it shared: the lock of each
// engine (lock_engines) keeps two runs off one engine.
EnvironmentLock lock_environment(const ProjectConfig& project,
                                 const StackInfrastructureOptions& options)
{
  return EnvironmentLock::acquire(
    project.lock_dir, options.environment, options.lock_timeout,
    [&](const LockHolder& holder) {
      std::fprintf(stderr, "%s\n", describe_lock_wait(options.environment, holder).c_str());
    },
    // --reuse runs share the environment: each claims its own stacks
    options.pool.reuse || !project.engines.empty());
}

// A project with `engines:`: the environment's lock on each engine of the run (EngineLocks.hpp),
// taken as lock_environment takes the one lock of a project without.
std::vector<EnvironmentLock> lock_engines(RunEngines& engines, const ProjectConfig& project,
                                          const StackInfrastructureOptions& options,
                                          RunEvents& events)
{
  if (project.engines.empty()) {
    return {};
  }
  return lock_environment_on_engines(
    engines, project.lock_dir, options.environment, options.lock_timeout, options.pool.reuse,
    [&](const std::string& line) { events.warning(line); },
    [&](const std::string& engine, const LockHolder& holder) {
      std::fprintf(stderr, "%s\n",
                   describe_lock_wait(options.environment, holder, engine).c_str());
    });
}

// The test stacks must be safe to run N times side by side on a shared machine: limits, bounded
// tmpfs, rotated logs, no fixed ports or names. A violation is a usage error naming file:line.
void enforce_compose_policy(const ProjectConfig& project, const std::vector<FixtureConfig>& fixtures,
                            const std::vector<ComposeService>& services)
{
  const auto violations =
    lint_compose_services(services, lint_options_for_fixtures(project, fixtures));
  if (!has_errors(violations)) {
    // Rules the project's `policy` set to warn: said, and the run goes on.
    for (const auto& violation : violations) {
      std::fprintf(stderr, "%s\n", format_violation(violation).c_str());
    }
    return;
  }
  std::string message = "the test stack breaks the compose policy (see `orchestrate lint "
                        "--explain`):";
  for (const auto& violation : violations) {
    message += "\n  " + format_violation(violation);
  }
  throw UsageError(message);
}

// The resolved compose model of the environment's stack, from the cache when its inputs are
// unchanged (see ComposeModelCache). On a miss `docker compose config` runs, so compose must be
// there: `before_compose` judges that first, for a clear message when it is not.
ComposeModel load_stack_model(const ProjectConfig& project, const std::string& environment_name,
                              const std::vector<ComposeService>& services,
                              const std::string& run_id, const std::filesystem::path& run_dir,
                              const std::function<void()>& before_compose)
{
  const auto& environment = find_environment(project, environment_name);
  std::vector<std::filesystem::path> inputs = environment.compose_files;
  for (const auto& service : services) {
    for (const auto& layer : service.layers) {
      inputs.push_back(layer.file);  // the files `extends` names (the key keeps each once)
    }
  }
  const ComposeCli cli(shard_project_name(project.prefix, environment_name, run_id, 0),
                       environment.compose_files, run_dir / "compose-config.log");
  const auto cache_file = project.state_dir / "cache" / ("compose-model-" + environment_name + ".json");
  const auto key = read_compose_model_inputs(
    inputs, environment.compose_files.front().parent_path(), current_environment());
  if (auto cached = load_cached_compose_model(cache_file, key)) {
    spdlog::debug("compose model: from the cache {}", cache_file.string());
    return std::move(*cached);
  }
  before_compose();
  spdlog::debug("compose model: resolving with `docker compose config`");
  return resolve_and_cache_compose_model(cli, key, cache_file);
}

}  // namespace

StackInfrastructure::StackInfrastructure(RunEngines& engines, const ProjectConfig& project,
                                         const std::vector<FixtureConfig>& fixtures,
                                         const StackInfrastructureOptions& options,
                                         RunEvents& events)
  : m_engines(engines),
    m_engine(main_engine_of(engines, events)),
    m_project(project),
    m_fixtures(fixtures),
    m_options(options_for_engines(engines, options, events)),
    m_events(events),
    m_late_preflight(check_engine_and_memory(m_engine, project, m_options, events)),
    m_lock(lock_environment(project, m_options)),
    m_engine_locks(lock_engines(engines, project, m_options, events))
{
}

StackInfrastructure::~StackInfrastructure() = default;

void StackInfrastructure::sweep_dead_runs()
{
  // Only this project's resources of this environment, only with a dead owner.
  SweepOptions sweep;
  sweep.environment = m_options.environment;
  sweep.project_prefix = m_project.prefix;
  m_engines.for_each(
    [&](DockerEngine& engine) {
      for (const auto& resource : sweep_stale_resources(engine, sweep)) {
        m_events.message(std::string(resource.removed ? "removed" : "could not remove") +
                         " stale " + resource.kind + " " + resource.name + " (" +
                         resource.reason + ")");
      }
    },
    [this](const std::string& line) { m_events.warning(line); });
}

void StackInfrastructure::require_late_checks()
{
  if (!m_late_preflight) {
    return;
  }
  auto late = std::move(*m_late_preflight);
  m_late_preflight.reset();
  for (const auto& warning : require_late_preflight(late)) {
    m_events.warning(warning);
  }
}

void StackInfrastructure::prepare(const std::string& run_id, const std::filesystem::path& run_dir)
{
  // Read once for the model cache's inputs and for the policy lint.
  const auto services =
    load_compose_services(find_environment(m_project, m_options.environment).compose_files);

  m_model = load_stack_model(m_project, m_options.environment, services, run_id, run_dir,
                             [this] { require_late_checks(); });
  check_fixtures_against_model(m_fixtures, m_model);
  enforce_compose_policy(m_project, m_fixtures, services);
  // An engine after the main one that lacks an image of the stack is left out, as one that does
  // not answer is (docs/scale-out.md): its stacks would fail at `compose up`.
  const auto images = stack_images(m_model);
  m_engines.leave_out_engines(
    [&images](DockerEngine& engine) { return check_engine_images(engine, images); },
    [this](const std::string& line) { m_events.warning(line); });
  const auto& environment = find_environment(m_project, m_options.environment);
  const auto pool = pool_place(m_project, m_options.environment);
  std::optional<PoolKey> pool_key;
  if (m_options.pool.reuse) {
    pool_key = stack_pool_key(environment, services, m_fixtures);
  }

  const FreshStackSettings stack_settings{
    m_project.prefix, m_options.environment, run_id, to_label(current_owner()),
    environment.compose_files, m_model, m_fixtures, m_options.readiness_timeout,
    m_options.stop_timeout, pool_key ? pool_label(pool) : std::string()};
  // Warm stacks idle in the pool (on the main engine) keep their memory: the run's stacks there
  // get what is left.
  const int idle_warm_stacks =
    warm_stacks_beside(pool, pool_key ? &*pool_key : nullptr, m_options.parallel);
  StackAdmission* admission = nullptr;
  if (m_engines.several()) {
    // Each engine admits by its own budget; shards go to the first with room (scale-out.md).
    auto budgets = m_engines.budgets(m_options.memory_budget_bytes);
    budgets.front() =
      budget_beside_warm_stacks(budgets.front(), m_model.memory_limit_bytes(), idle_warm_stacks);
    m_placement.emplace(stack_settings, m_engines.all(), budgets, m_options.parallel,
                        m_options.start_slots,
                        [this](const std::string& line) { m_events.message(line); },
                        [this](int shard, const std::string& engine) {
                          m_events.stack_placed(shard, engine);
                        });
    admission = &m_placement->local_admission();
    // The main engine's floor is this host's MemAvailable (the monitor below); the others', their
    // memory left as the Engine API shows it.
    m_placement->watch_engine_memory(m_options.memory_floor_bytes,
                                     [this](const std::string& line) { m_events.message(line); });
  } else {
    admission = &m_admission.emplace(
      m_model,
      budget_beside_warm_stacks(m_options.memory_budget_bytes, m_model.memory_limit_bytes(),
                                idle_warm_stacks),
      m_options.parallel);
  }
  ResourceMonitorOptions monitoring;
  monitoring.run_id = run_id;
  monitoring.memory_floor_bytes = m_options.memory_floor_bytes;
  monitoring.on_sample = [this](const std::map<int, std::uint64_t>& bytes_by_shard) {
    m_events.memory_sampled(bytes_by_shard);
  };
  m_monitor.emplace(m_engine, monitoring);
  admission->watch_pressure(*m_monitor, [this](const std::string& text) {
    m_events.message(text);
  });

  // The watchdog starts before the first resource of the run exists, so that a kill -9 of this
  // process at any later moment still leaves nothing behind. It is released after every stack
  // was torn down.
  m_reaper_launch.log_file = run_dir / "reaper.log";  // a run's files live in its run folder
  // The reaper reaches the run's engines on its own, the same way, if this process dies.
  m_reaper_launch.engines_file = run_dir / "engines.json";
  write_engine_endpoints(m_reaper_launch.engines_file, m_engines.endpoints());
  // A --reuse run's stacks stay up on purpose: returned to the pool, not left over.
  m_removal.emplace(m_engine, run_id, m_options.keep_on_failure || m_options.pool.reuse);
  for (DockerEngine* other : m_engines.all()) {
    if (other != &m_engine) {
      m_engine_removals.emplace_back(*other, run_id, m_options.keep_on_failure);
    }
  }
  m_reaper.emplace(ReaperGuard::start(run_id, m_project.lock_dir, m_reaper_launch));

  if (m_placement) {
    m_stacks = &*m_placement;
    return;
  }
  m_start_slots.emplace(start_slot_count(m_options.start_slots, m_engine),
                        m_engine.endpoint().name);
  m_stacks = &m_provider.emplace(stack_settings, m_engine, admission, &*m_start_slots);
  if (pool_key) {
    // One engine only: options_for_engines turned --reuse off for several.
    m_stacks = &m_pooled_provider.emplace(
      PooledStackSettings{pool, *pool_key, m_options.pool.ttl, stack_settings,
                          [this](const std::string& line) { m_events.message(line); }},
      *m_provider, m_engine, admission);
  }
}

void StackInfrastructure::note_warm_stacks(std::vector<ShardTiming>& shards) const
{
  if (m_pooled_provider) {
    m_pooled_provider->annotate(shards);
  }
}

void StackInfrastructure::say_if_budget_caps(int shard_count)
{
  if (m_placement) {
    if (m_placement->max_concurrent_stacks() < shard_count) {
      m_events.message("the engines' memory budgets allow " +
                       std::to_string(m_placement->max_concurrent_stacks()) + " of --parallel " +
                       std::to_string(shard_count) + " stacks; the other shards queue");
    }
    return;
  }
  if (m_admission->max_concurrent_stacks() < shard_count) {
    m_events.message(m_admission->capped_message());
  }
}

std::string StackInfrastructure::engine_of(int shard) const
{
  return m_placement ? m_placement->engine_of(shard) : m_engine.endpoint().name;
}

ExitCode StackInfrastructure::settle(ExitCode exit_code, const std::vector<ShardTiming>& shards)
{
  // The reaper is released only once nothing of the run is left; a lost engine is exit 7 (of
  // several, only when none stayed).
  if (m_placement) {
    return settle_engine_removals(
      engine_removals_of(m_engines, *m_removal, m_engine_removals, shards), *m_reaper,
      m_reaper_launch.log_file, exit_code, stderr);
  }
  return m_removal->settle(*m_reaper, m_reaper_launch.log_file, shards, exit_code, stderr);
}

}  // namespace orchestrate
