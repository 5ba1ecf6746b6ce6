#pragma once

#include "core/Quantities.hpp"
#include "docker/ComposeModel.hpp"
#include "docker/DockerEngine.hpp"

#include <string>

namespace orchestrate {

// Waits until every service of `model` has containers in the stack labelled
// io.orchestrate.stack=<stack>, each running and, when it has a healthcheck (from the compose file
// or the image), healthy. Unlike ReadinessGate it needs no fixtures and no published ports: an
// environment stack is judged by its services alone. Event-driven like ReadinessGate: it subscribes
// to the stack's container events, lists the stack once, and lists it again after each event.
//
// Throws StackNotReadyError (with the service's last log lines) when a container exits or turns
// unhealthy, or when not everything is ready within `timeout`; Error(k_interrupted) on Ctrl-C;
// what DockerEngine throws.
void wait_for_healthy_services(DockerEngine& engine, const std::string& stack,
                               const ComposeModel& model, Milliseconds timeout);

}  // namespace orchestrate
