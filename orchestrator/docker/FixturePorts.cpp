#include "docker/FixturePorts.hpp"

#include "core/Error.hpp"

#include <algorithm>

namespace orchestrate {

namespace {

// Whether a container of this network mode has ports of its own to publish: not when it shares
// the host's network, has none, or shares another container's.
bool can_publish_ports(const std::string& network_mode)
{
  return !(network_mode == "host" || network_mode == "none" ||
           network_mode.starts_with("service:") || network_mode.starts_with("container:"));
}

}  // namespace

PublishedPorts fixture_published_ports(const std::vector<FixtureConfig>& fixtures)
{
  PublishedPorts ports;
  for (const auto& fixture : fixtures) {
    auto& service_ports = ports[fixture.service];
    if (std::find(service_ports.begin(), service_ports.end(), fixture.container_port) ==
        service_ports.end()) {
      service_ports.push_back(fixture.container_port);
    }
  }
  return ports;
}

void check_fixtures_against_model(const std::vector<FixtureConfig>& fixtures,
                                  const ComposeModel& model)
{
  for (const auto& fixture : fixtures) {
    const auto* service = model.find_service(fixture.service);
    if (service == nullptr) {
      std::string services;
      for (const auto& candidate : model.services) {
        services += (services.empty() ? "" : ", ") + candidate.name;
      }
      throw ConfigError(fixture.source_path.string() + ":" + std::to_string(fixture.service_line) +
                        ": service '" + fixture.service +
                        "' is not in the compose files; expected one they define: " + services);
    }
    if (!can_publish_ports(service->network_mode)) {
      throw ConfigError(fixture.source_path.string() + ":" + std::to_string(fixture.port_line) +
                        ": service '" + fixture.service + "' has network_mode '" +
                        service->network_mode + "', so its port " +
                        std::to_string(fixture.container_port) +
                        " cannot be published for the tests; expected a service on the stack's "
                        "networks (remove network_mode)");
    }
  }
}

}  // namespace orchestrate
