#pragma once

#include "config/ProjectConfig.hpp"
#include "config/SuiteConfig.hpp"
#include "policy/ComposeLint.hpp"

#include <vector>

namespace orchestrate {

// The lint options a project's test stacks ask for: allow_docker_socket_mount and the rule levels
// of `policy` from orchestrate.yaml, as health-gated every service that one of `fixtures` waits
// on with `readiness: {kind: health}`, and as replaced every fixture's port (orchestrate
// publishes it itself on loopback in the test stacks).
// Throws nothing.
LintOptions lint_options_for_fixtures(const ProjectConfig& project,
                                      const std::vector<FixtureConfig>& fixtures);

// lint_options_for_fixtures with every fixture of the project (each *.yaml in fixtures_dir), as
// `orchestrate lint` uses it for the test environment (for another one, it clears replaced_ports:
// only test stacks get orchestrate's ports). Throws ConfigError as load_fixture_config does for a broken fixture.
LintOptions project_lint_options(const ProjectConfig& project);

}  // namespace orchestrate
