#pragma once

#include "config/SuiteConfig.hpp"
#include "docker/ComposeModel.hpp"
#include "docker/OverrideFile.hpp"

#include <vector>

namespace orchestrate {

// The fixtures' container ports by service: what orchestrate publishes itself on loopback with an
// ephemeral host port in each shard's override (see OverrideFile.hpp), so that a compose file
// needs no `ports` for them. Throws nothing.
PublishedPorts fixture_published_ports(const std::vector<FixtureConfig>& fixtures);

// Checks, before any stack starts, that the compose model can provide every fixture's port: the
// fixture's service exists, and it is attached to the stack's networks (a `network_mode` of host,
// none, service:x or container:x publishes no port). Throws ConfigError `fixture.yaml:line:`
// naming the service, what is wrong and what was expected.
void check_fixtures_against_model(const std::vector<FixtureConfig>& fixtures,
                                  const ComposeModel& model);

}  // namespace orchestrate
