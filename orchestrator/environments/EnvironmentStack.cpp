#include "environments/EnvironmentStack.hpp"

#include "core/Error.hpp"
#include "docker/ComposeCli.hpp"
#include "docker/ComposeModel.hpp"
#include "docker/OverrideFile.hpp"
#include "docker/ProjectName.hpp"
#include "docker/ReadinessGate.hpp"
#include "docker/ResourceLabels.hpp"
#include "environments/EnvironmentLookup.hpp"
#include "environments/ServiceHealthWait.hpp"
#include "locking/OwnerIdentity.hpp"

#include <chrono>
#include <ctime>
#include <spdlog/spdlog.h>

namespace orchestrate {

namespace {

// `up -d` returns once the containers are started (readiness is judged afterwards), and `down`
// with `-t 1` needs seconds: these bounds only catch a hung compose.
constexpr Milliseconds k_up_bound(120'000);
constexpr Milliseconds k_down_bound(60'000);
constexpr const char* k_down_stop_seconds = "1";
constexpr const char* k_override_file = "compose.override.yml";
constexpr const char* k_log_file = "compose.log";

// Where the override file and compose's log of one environment live; created if missing.
// Throws UsageError when it cannot be created.
std::filesystem::path environment_dir(const ProjectConfig& project, const std::string& env)
{
  auto dir = project.state_dir / "environments" / env;
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    throw UsageError("cannot create " + dir.string() + ": " + error.message());
  }
  return dir;
}

std::string down_hint(const std::string& env)
{
  return "the stack is left as it is for inspection; `orchestrate env down --env " + env +
         "` removes it";
}

// The labels of the stack. A stack that is already up keeps the owner and creation time its
// containers carry: compose recreates a container whose configuration (labels included) changed,
// which would restart the developer's database for nothing.
StackOwnership stack_ownership(DockerEngine& engine, const ProjectConfig& project,
                               const std::string& env, const std::string& stack)
{
  StackOwnership ownership;
  ownership.project_prefix = project.prefix;
  ownership.environment = env;
  ownership.run_id = "";  // not a run's: sweeps of runs never match it
  ownership.shard = 0;
  ownership.stack = stack;
  ownership.owner = to_label(current_owner());
  ownership.created_unix_seconds = static_cast<long long>(std::time(nullptr));
  for (const auto& container : engine.list_containers({label_filter(labels::k_stack, stack)})) {
    auto owner = container.labels.find(labels::k_owner);
    auto created = container.labels.find(labels::k_created);
    if (owner == container.labels.end() || created == container.labels.end()) {
      continue;
    }
    try {
      ownership.created_unix_seconds = std::stoll(created->second);
      ownership.owner = owner->second;
    } catch (const std::exception&) {
      continue;
    }
    break;
  }
  return ownership;
}

void require_engine(DockerEngine& engine)
{
  if (!engine.ping()) {
    throw EnvironmentError("engine " + engine.endpoint().name + " (" + engine.endpoint().host +
                           "): " + engine_unavailable_message(engine.socket_path()));
  }
}

// What `up` and `down` start from: a long-lived environment, its lock held, the engine answering.
struct LockedEnvironment
{
  const EnvironmentConfig& config;
  EnvironmentLock lock;
  std::string stack;
  std::filesystem::path dir;
  DockerEngine engine;
};

DockerEngine engine_of(const std::optional<EngineEndpoint>& engine)
{
  return engine ? DockerEngine(*engine) : DockerEngine();
}

LockedEnvironment lock_environment(const ProjectConfig& project, const std::string& env,
                                   Milliseconds lock_timeout, const LockWaitCallback& on_wait,
                                   const std::optional<EngineEndpoint>& engine)
{
  const auto& config = find_long_lived_environment(project, env);
  LockedEnvironment locked{config, EnvironmentLock::acquire(project.lock_dir, env, lock_timeout,
                                                            on_wait),
                           environment_project_name(project.prefix, env),
                           environment_dir(project, env), engine_of(engine)};
  require_engine(locked.engine);
  return locked;
}

}  // namespace

EnvironmentStatus environment_up(const ProjectConfig& project, const std::string& env,
                                 Milliseconds lock_timeout, Milliseconds ready_timeout,
                                 const LockWaitCallback& on_wait,
                                 const std::optional<EngineEndpoint>& target)
{
  auto locked = lock_environment(project, env, lock_timeout, on_wait, target);
  auto& [environment, lock, stack, dir, engine] = locked;

  const auto model =
    load_compose_model(ComposeCli(stack, environment.compose_files, dir / k_log_file,
                                  engine.client_environment()));
  write_override_file(dir / k_override_file, model,
                      ownership_labels(stack_ownership(engine, project, env, stack)));
  auto files = environment.compose_files;
  files.push_back(dir / k_override_file);
  const ComposeCli cli(stack, files, dir / k_log_file, engine.client_environment());

  spdlog::debug("{}: up", stack);
  // --pull never: there is no registry to pull from, and a missing image should say so at once.
  const auto result =
    cli.run({"up", "-d", "--no-build", "--pull", "never", "--remove-orphans"}, k_up_bound);
  if (result.exit.interrupted) {
    throw Error(ExitCode::k_interrupted, "interrupted while starting " + stack);
  }
  if (!result.exit.succeeded()) {
    throw InternalError("`docker compose up` failed for " + stack +
                        (result.exit.timed_out ? " (timed out)" : "") + "; " + down_hint(env) +
                        ":\n" + result.output);
  }
  try {
    wait_for_healthy_services(engine, stack, model, ready_timeout);
  } catch (const StackNotReadyError& error) {
    throw StackNotReadyError(std::string(error.what()) + "\n(" + down_hint(env) + ")");
  }
  return read_environment_status(engine, env, stack);
}

TeardownReport environment_down(const ProjectConfig& project, const std::string& env,
                                Milliseconds lock_timeout, const LockWaitCallback& on_wait,
                                const std::optional<EngineEndpoint>& target)
{
  auto locked = lock_environment(project, env, lock_timeout, on_wait, target);
  auto& [environment, lock, stack, dir, engine] = locked;

  const auto started = std::chrono::steady_clock::now();
  TeardownReport report;
  auto files = environment.compose_files;
  if (std::filesystem::exists(dir / k_override_file)) {
    files.push_back(dir / k_override_file);
  }
  spdlog::debug("{}: down", stack);
  // Not stopped by Ctrl-C: a half-removed stack is worse than a finished removal.
  const auto result = ComposeCli(stack, files, dir / k_log_file, engine.client_environment())
                        .run({"down", "-v", "--remove-orphans", "-t", k_down_stop_seconds},
                             k_down_bound, false);
  if (!result.exit.succeeded()) {
    spdlog::warn("{}: `docker compose down` failed; removing by label instead:\n{}", stack,
                 result.output);
  }
  // `down` exits 0 even when a network or volume is still in use, and misses what a
  // half-finished `up` or a changed compose file left: verify by our label.
  report.removed_leftovers = remove_labelled_resources(
    engine, {label_filter(labels::k_stack, stack), label_filter(labels::k_project, project.prefix)},
    report.failed_removals);
  report.duration =
    std::chrono::duration_cast<Milliseconds>(std::chrono::steady_clock::now() - started);
  return report;
}

EnvironmentStatus environment_status(const ProjectConfig& project, const std::string& env,
                                     const std::optional<EngineEndpoint>& target)
{
  find_long_lived_environment(project, env);
  DockerEngine engine = engine_of(target);
  require_engine(engine);
  return read_environment_status(engine, env, environment_project_name(project.prefix, env));
}

}  // namespace orchestrate
