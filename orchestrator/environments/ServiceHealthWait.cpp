#include "environments/ServiceHealthWait.hpp"

#include "core/Error.hpp"
#include "docker/ReadinessGate.hpp"
#include "docker/ResourceLabels.hpp"
#include "process/SignalState.hpp"

#include <chrono>
#include <optional>
#include <spdlog/spdlog.h>
#include <thread>

namespace orchestrate {

namespace {

constexpr Milliseconds k_poll_interval(200);
constexpr int k_log_lines = 40;

// A service that is not ready yet, and why.
struct Pending
{
  std::string service;
  std::string container_id;  // empty: no container yet
  std::string why;
};

}  // namespace

void wait_for_healthy_services(DockerEngine& engine, const std::string& stack,
                               const ComposeModel& model, Milliseconds timeout)
{
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::vector<std::string> filters{label_filter(labels::k_stack, stack)};

  auto fail = [&](const Pending& pending) {
    std::string message = "stack " + stack + ": service '" + pending.service + "' " + pending.why;
    if (!pending.container_id.empty()) {
      message += "\n--- last log lines of " + pending.service + " ---\n" +
                 engine.container_logs(pending.container_id, k_log_lines);
    }
    throw StackNotReadyError(message);
  };

  while (true) {
    if (interrupt_count() > 0) {
      throw Error(ExitCode::k_interrupted, "interrupted while waiting for " + stack);
    }
    const auto containers = engine.list_containers(filters);
    std::optional<Pending> pending;
    for (const auto& service : model.services) {
      bool found = false;
      for (const auto& container : containers) {
        auto label = container.labels.find(labels::k_compose_service);
        if (label == container.labels.end() || label->second != service.name) {
          continue;
        }
        found = true;
        if (container.state == "exited" || container.state == "dead") {
          fail({service.name, container.id, "exited (a long-lived stack must keep running)"});
        }
        if (container.health == "unhealthy") {
          fail({service.name, container.id, "reported unhealthy"});
        }
        const bool ready = container.state == "running" &&
                           (container.health.empty() || container.health == "healthy");
        if (!ready && !pending) {
          pending = Pending{service.name, container.id,
                            container.health.empty() ? container.state : container.health};
        }
      }
      if (!found && !pending) {
        pending = Pending{service.name, "", "no container yet"};
      }
    }
    if (!pending) {
      spdlog::debug("{}: every service is ready", stack);
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      pending->why = "was not ready within " + format_seconds(timeout) + " (" + pending->why + ")";
      fail(*pending);
    }
    std::this_thread::sleep_for(k_poll_interval);
  }
}

}  // namespace orchestrate
