#include "environments/ServiceHealthWait.hpp"

#include "core/Error.hpp"
#include "docker/ContainerEvents.hpp"
#include "docker/ReadinessGate.hpp"
#include "docker/ResourceLabels.hpp"
#include "process/SignalState.hpp"

#include <chrono>
#include <optional>
#include <spdlog/spdlog.h>
#include <vector>

namespace orchestrate {

namespace {

// The longest wait for an event before the deadline and Ctrl-C are checked again.
constexpr Milliseconds k_wake_interval(100);
constexpr int k_log_lines = 40;
// The events after which a service can change between starting, ready and failed; the exec_*
// events every healthcheck run makes are filtered out by the engine.
const std::vector<std::string> k_state_actions{"start", "health_status", "die", "destroy"};

// A service that is not ready yet, and why.
struct Pending
{
  std::string service;
  std::string container_id;  // empty: no container yet
  std::string why;
};

// Exited 0 under a restart policy that lets it stop: done, as compose's
// `service_completed_successfully`.
bool completed_successfully(const ResolvedService& service, const ContainerSummary& container)
{
  return container.state == "exited" && container.exit_code == 0 && service.may_complete();
}

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

  // Subscribe first, then look: what changed before the subscription is in the listing, and
  // every change after it arrives as an event, after which the stack is listed again. One API
  // call per change, none per poll.
  ContainerEventStream events = engine.open_container_events(filters, k_state_actions);
  bool changed = true;
  // While a one-shot service runs, the stack is listed at every wake: its exit is not reliably
  // in a listing made right after its `die` event.
  bool one_shot_running = false;
  while (true) {
    if (interrupt_count() > 0) {
      throw Error(ExitCode::k_interrupted, "interrupted while waiting for " + stack);
    }
    const bool timed_out = std::chrono::steady_clock::now() >= deadline;
    if (!changed && !timed_out) {
      changed = events.next(k_wake_interval).has_value() || one_shot_running;
      continue;
    }
    changed = false;
    one_shot_running = false;
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
        const bool stopped = container.state == "exited" || container.state == "dead";
        if (stopped && completed_successfully(service, container)) {
          continue;  // a one-shot service (a migration) that did its work
        }
        if (stopped) {
          fail({service.name, container.id,
                service.may_complete()
                  ? "exited (" + exit_description(container) + ")"
                  : "exited (" + exit_description(container) + "; its restart policy '" +
                      service.restart + "' says it must keep running)"});
        }
        if (container.health == "unhealthy") {
          fail({service.name, container.id, "reported unhealthy"});
        }
        // A one-shot service is awaited until it exits, not merely until it runs.
        one_shot_running = one_shot_running || (service.one_shot && !stopped);
        const bool ready = container.state == "running" && !service.one_shot &&
                           (container.health.empty() || container.health == "healthy");
        if (!ready && !pending) {
          pending = Pending{service.name, container.id,
                            service.one_shot ? "a one-shot service, not completed yet"
                            : container.health.empty() ? container.state
                                                       : container.health};
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
    if (timed_out) {
      pending->why = "was not ready within " + format_seconds(timeout) + " (" + pending->why + ")";
      fail(*pending);
    }
  }
}

}  // namespace orchestrate
