#pragma once

#include "config/ProjectConfig.hpp"
#include "core/Quantities.hpp"
#include "docker/ComposeStack.hpp"
#include "docker/EngineEndpoint.hpp"
#include "environments/EnvironmentStatus.hpp"
#include "locking/EnvironmentLock.hpp"

#include <functional>
#include <optional>
#include <string>

namespace orchestrate {

// Long-lived environment stacks (`orchestrate env up|down|status --env dev`): one compose project
// per environment, named environment_project_name(prefix, env) (e.g. `shop-dev`), from the compose
// files of orchestrate.yaml's environments.<env>. Its containers, networks and volumes carry the
// same labels as shard stacks (ownership_labels) with run "" and shard 0, so `env down` and
// `env status` find them by io.orchestrate.stack=<name>. The override file and compose's log live
// in <state_dir>/environments/<env>/.
//
// The test environment is refused: its stacks belong to runs.

// Called once when the environment lock is found held, before waiting (to say who holds it).
using LockWaitCallback = std::function<void(const LockHolder&)>;

// Brings the stack up and leaves it running: holds the env's EnvironmentLock for the duration of
// the call (waiting up to `lock_timeout`), runs `up -d --no-build --pull never --remove-orphans`,
// then waits up to `ready_timeout` until every service runs and, if it has a healthcheck, is
// healthy. A stack that is already up stays as it is (its labels are reused, so compose recreates
// nothing). On failure the stack is left as it is for inspection (`env down` removes it).
//
// Returns the stack's status once ready. Throws UsageError for an unknown or the test environment
// or invalid compose files; Error(k_environment_busy) when the lock stays held;
// StackNotReadyError (with logs) when a service exits, turns unhealthy or is not ready in time;
// InternalError when `compose up` fails; EnvironmentError when Docker does not answer;
// Error(k_interrupted) on Ctrl-C.
EnvironmentStatus environment_up(const ProjectConfig& project, const std::string& env,
                                 Milliseconds lock_timeout, Milliseconds ready_timeout,
                                 const LockWaitCallback& on_wait = {},
                                 const std::optional<EngineEndpoint>& engine = std::nullopt);

// Removes the stack, its data volumes included: under the env's lock, `down -v --remove-orphans
// -t 1`, then removal through the Engine API of anything still labelled
// io.orchestrate.stack=<name>. Returns what was removed after `down` and what could not be removed
// (failed_removals non-empty means something is left). Throws as environment_up() does for the
// environment, the lock and Docker.
TeardownReport environment_down(const ProjectConfig& project, const std::string& env,
                                Milliseconds lock_timeout, const LockWaitCallback& on_wait = {},
                                const std::optional<EngineEndpoint>& engine = std::nullopt);

// The containers of the env's stack with state, health and published ports; no lock is taken.
// Throws UsageError for an unknown or the test environment, EnvironmentError when Docker does not
// answer.
// Each takes the engine the stack is on (`env ... --engine NAME`); nullopt: the default engine.
EnvironmentStatus environment_status(const ProjectConfig& project, const std::string& env,
                                     const std::optional<EngineEndpoint>& engine = std::nullopt);

}  // namespace orchestrate
