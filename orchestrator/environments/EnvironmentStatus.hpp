#pragma once

#include "docker/DockerEngine.hpp"

#include <map>
#include <string>
#include <vector>

namespace orchestrate {

// One container of a long-lived environment stack, as the engine reports it.
struct ServiceStatus
{
  std::string service;    // compose service name (com.docker.compose.service)
  std::string container;  // container name
  std::string state;      // "running", "exited", ...; "completed": exited 0 (a one-shot's success)
  std::string health;     // "healthy", "unhealthy", "starting", or "" without a healthcheck
  std::map<int, int> published_tcp_ports;  // container port -> host port (loopback or any)
};

// The containers of one environment's stack (`orchestrate env status`).
struct EnvironmentStatus
{
  std::string environment;  // e.g. "dev"
  std::string stack;        // compose project name, e.g. "shop-dev"
  std::vector<ServiceStatus> services;  // sorted by service, then container name

  // True when the stack has containers and every one runs and is healthy or has no healthcheck,
  // or has completed (a one-shot service such as a migration that exited 0).
  bool is_up() const;
};

// Reads the containers labelled io.orchestrate.stack=<stack> (all states) from the engine.
// Throws what DockerEngine throws (EnvironmentError when the engine does not answer).
EnvironmentStatus read_environment_status(DockerEngine& engine, const std::string& environment,
                                          const std::string& stack);

// A table for people: one line per container with state, health and published ports
// ("localhost:49153->5432"), or a line saying the stack is not running. Ends with a newline.
std::string format_environment_status(const EnvironmentStatus& status);

}  // namespace orchestrate
