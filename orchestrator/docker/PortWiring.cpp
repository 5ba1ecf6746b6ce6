#include "docker/PortWiring.hpp"

#include "docker/ResourceLabels.hpp"

namespace orchestrate {

namespace {

std::string label_of(const ContainerSummary& container, const char* key)
{
  const auto label = container.labels.find(key);
  return label == container.labels.end() ? std::string() : label->second;
}

std::string describe(const ContainerSummary& container, const PortBinding& binding)
{
  const auto ip = binding.host_ip.empty() ? std::string("0.0.0.0") : binding.host_ip;
  const auto host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
  return host + ":" + std::to_string(binding.host_port) + "->" +
         std::to_string(binding.container_port) + "/" + binding.protocol + " (" + container.name +
         ")";
}

}  // namespace

std::optional<std::string> port_wiring_problem(const std::vector<ContainerSummary>& containers,
                                               const std::string& stack,
                                               const FixtureConfig& fixture, int host_port,
                                               const std::string& address)
{
  bool wired = false;
  bool foreign = false;
  std::vector<std::string> seen;
  for (const auto& container : containers) {
    const bool own_service = label_of(container, labels::k_stack) == stack &&
                             label_of(container, labels::k_compose_service) == fixture.service;
    for (const auto& binding : container.port_bindings) {
      const bool on_port = binding.host_port == host_port && binding.protocol == "tcp" &&
                           address_reaches(binding.host_ip, address);
      if (on_port) {
        const bool right = own_service && binding.container_port == fixture.container_port;
        (right ? wired : foreign) = true;
      }
      if (on_port || own_service) {
        seen.push_back(describe(container, binding));
      }
    }
  }
  if (wired && !foreign) {
    return std::nullopt;
  }
  std::string message = "stack " + stack + ": fixture " + fixture.name + " was handed " + address + ":" +
                        std::to_string(host_port) + ", which ";
  message += wired ? "another container publishes too"
                   : "is not service '" + fixture.service + "' port " +
                       std::to_string(fixture.container_port) + " of this stack";
  message += "; bindings seen:";
  for (const auto& binding : seen) {
    message += "\n  " + binding;
  }
  if (seen.empty()) {
    message += " none";
  }
  return message;
}

void verify_port_wiring(DockerEngine& engine, const std::string& stack,
                        const std::vector<FixtureConfig>& fixtures,
                        const std::map<std::string, ReadyEndpoint>& endpoints)
{
  // Every container, not only ours: the host port may belong to anyone's.
  const auto containers = engine.list_containers({});
  std::string problems;
  for (const auto& fixture : fixtures) {
    const auto endpoint = endpoints.find(fixture.name);
    if (endpoint == endpoints.end()) {
      continue;
    }
    if (const auto problem =
          port_wiring_problem(containers, stack, fixture, endpoint->second.port,
                              engine.address())) {
      problems += (problems.empty() ? "" : "\n") + *problem;
    }
  }
  if (!problems.empty()) {
    throw StackNotReadyError(problems);
  }
}

}  // namespace orchestrate
