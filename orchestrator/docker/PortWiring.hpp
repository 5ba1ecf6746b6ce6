#pragma once

#include "config/SuiteConfig.hpp"
#include "docker/DockerEngine.hpp"
#include "docker/ReadinessGate.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// The check that tests reach their own shard's services: before a shard's tests run, each
// fixture's host port must be published on the host's loopback by this stack's container of the
// fixture's service, for the fixture's container port, and by nothing else. A port handed to
// tests that belongs to another stack (as the IPv6 binding of engine 20.10 could give) would let
// them talk to another shard's database.

// What is wrong with `fixture`'s `host_port` among `containers` (every container on the engine),
// or nullopt when only the stack's own container of the fixture's service publishes it for the
// fixture's port. The message names the stack, the fixture and every binding seen on that host
// port and of the fixture's service. `address` is where the engine's ports are reached (its
// EngineEndpoint::address). Pure; throws nothing.
std::optional<std::string> port_wiring_problem(const std::vector<ContainerSummary>& containers,
                                               const std::string& stack,
                                               const FixtureConfig& fixture, int host_port,
                                               const std::string& address = "127.0.0.1");

// Lists every container on the engine once and checks each fixture's endpoint with
// port_wiring_problem. Throws StackNotReadyError naming every miswired fixture; what DockerEngine
// throws.
void verify_port_wiring(DockerEngine& engine, const std::string& stack,
                        const std::vector<FixtureConfig>& fixtures,
                        const std::map<std::string, ReadyEndpoint>& endpoints);

}  // namespace orchestrate
