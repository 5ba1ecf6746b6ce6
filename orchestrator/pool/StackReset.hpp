#pragma once

#include "config/SuiteConfig.hpp"
#include "docker/ComposeCli.hpp"
#include "docker/DockerEngine.hpp"

#include <string>
#include <vector>

namespace orchestrate {

// Brings the fixtures' services of a claimed warm stack back to a clean state before the claiming
// run's first test, each as its fixture's `reset:` says (ResetSpec): `exec` runs the command in
// the service's running container over the Engine API and needs exit code 0; `recreate` has
// compose recreate the service's containers (`up -d --no-build --force-recreate --no-deps`, one
// compose call for all of them); `none` does nothing. The readiness gate is the caller's to run
// again afterwards. `cli` is the stack's compose command line (its files and override).
// Throws InternalError naming the fixture (file:line of its `reset`), the service and what went
// wrong (exit code and output, timeout, container missing, compose's output); the caller then
// removes the stack rather than use it.
void reset_stack_services(DockerEngine& engine, const ComposeCli& cli, const std::string& stack,
                          const std::vector<FixtureConfig>& fixtures);

// Whether resetting `fixtures` may wipe state (some reset is not `none`): then what the stack's
// one-shot services made (a migration's tables, a seed) is gone too, and they must run again
// once the services are ready (ComposeStack::rerun_one_shots).
bool reset_wipes_state(const std::vector<FixtureConfig>& fixtures);

}  // namespace orchestrate
