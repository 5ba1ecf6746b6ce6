#pragma once

#include "core/Quantities.hpp"
#include "docker/ComposeModel.hpp"
#include "docker/DockerEngine.hpp"

#include <string>

namespace orchestrate {

// Waits until every service of `model` has containers in the stack labelled
// io.orchestrate.stack=<stack>, each running and, when it has a healthcheck (from the compose file
// or the image), healthy; or, for a service whose restart policy lets it stop ("no", the default,
// or on-failure), exited 0: a one-shot service such as a migration counts as complete, as
// compose's `service_completed_successfully`. A service known to be one-shot
// (ResolvedService::one_shot) is awaited until it exits. Unlike ReadinessGate it needs no fixtures and no published ports: an
// environment stack is judged by its services alone. Event-driven like ReadinessGate: it subscribes
// to the stack's container events, lists the stack once, and lists it again after each event.
//
// Throws StackNotReadyError (with the service's last log lines) when a container exits non-zero
// (or at all, under restart always / unless-stopped) or turns unhealthy, or when not everything is ready within `timeout`; Error(k_interrupted) on Ctrl-C;
// what DockerEngine throws.
void wait_for_healthy_services(DockerEngine& engine, const std::string& stack,
                               const ComposeModel& model, Milliseconds timeout);

}  // namespace orchestrate
