#include "docker/ReadinessGate.hpp"

#include "docker/EarlyHealthProbe.hpp"
#include "docker/ResourceLabels.hpp"
#include "process/SignalState.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

// The longest wait on the event stream: Ctrl-C and the deadline are noticed within it.
constexpr Milliseconds k_wake_interval(100);
// How often what no event announces is looked at again: a port that starts accepting, a log line,
// a starting service's own healthcheck (EarlyHealthProbe, which paces its execs itself).
constexpr Milliseconds k_recheck_interval(100);
constexpr Milliseconds k_port_connect_timeout(200);
constexpr int k_log_lines = 40;
constexpr int k_log_search_lines = 500;

// The events after which a fixture can change between starting, ready and failed. The engine
// filters the rest out, above all the exec_* events every healthcheck run makes.
const std::vector<std::string> k_readiness_actions{"start", "health_status", "die", "destroy"};

std::string replace_all(std::string text, const std::string& from, const std::string& to)
{
  for (auto position = text.find(from); position != std::string::npos;
       position = text.find(from, position + to.size())) {
    text.replace(position, from.size(), to);
  }
  return text;
}

std::string service_of(const std::map<std::string, std::string>& labels)
{
  const auto label = labels.find(labels::k_compose_service);
  return label == labels.end() ? std::string() : label->second;
}

// One fixture while the gate waits for it: the last known state of its service's container, and
// why it is not ready yet.
struct FixtureWait
{
  const FixtureConfig* fixture = nullptr;
  std::optional<ContainerSummary> container;
  std::string waiting_for = "no container yet";
  std::optional<ReadyEndpoint> ready;
  // A `health` fixture's service that is still starting: its healthcheck, run by the gate.
  std::optional<EarlyHealthProbe> probe;

  bool starting_health_fixture() const
  {
    return fixture->readiness.kind == ReadinessSpec::Kind::k_health && container &&
           container->state == "running" && container->health == "starting";
  }

  // Ready only once a condition that no event announces holds: re-checked every
  // k_recheck_interval rather than on events. A starting `health` fixture is looked at too: once
  // inspected (a listing lacks the healthcheck and addresses), then by its probe, if it has one.
  bool needs_recheck() const
  {
    if (ready || !container || container->state != "running") {
      return false;
    }
    if (fixture->readiness.kind != ReadinessSpec::Kind::k_health) {
      return true;
    }
    return starting_health_fixture() && (!container->inspected || probe.has_value());
  }
};

// A service that runs to completion (a migration, say): ready once its container exited 0.
struct OneShotWait
{
  std::string service;
  std::optional<ContainerSummary> container;
  bool completed = false;
};

// Judges the fixtures of one stack from their containers' states; the gate feeds it the states it
// learns from the initial listing and from the event stream.
class FixtureJudge
{
public:
  FixtureJudge(DockerEngine& engine, std::string stack, const std::vector<FixtureConfig>& fixtures,
               const std::vector<std::string>& one_shot_services)
    : m_engine(engine),
      m_stack(std::move(stack))
  {
    for (const auto& fixture : fixtures) {
      FixtureWait wait;
      wait.fixture = &fixture;
      m_waits.push_back(std::move(wait));
    }
    for (const auto& service : one_shot_services) {
      m_one_shots.push_back({service, std::nullopt, false});
    }
  }

  // Takes `container` as the current state of every fixture of its service and judges them.
  // Throws StackNotReadyError when it exited, turned unhealthy or cannot serve the fixture.
  void update(const ContainerSummary& container)
  {
    const std::string service = service_of(container.labels);
    for (auto& wait : m_waits) {
      if (!wait.ready && wait.fixture->service == service) {
        wait.container = container;
        judge(wait);
      }
    }
    for (auto& one_shot : m_one_shots) {
      if (!one_shot.completed && one_shot.service == service) {
        one_shot.container = container;
        judge(one_shot);
      }
    }
  }

  // The container `id` no longer exists: its fixtures wait for another one.
  void forget(const std::string& id)
  {
    for (auto& wait : m_waits) {
      if (!wait.ready && wait.container && wait.container->id == id) {
        wait.container.reset();
        wait.probe.reset();
        wait.waiting_for = "container removed";
      }
    }
  }

  // Judges again the fixtures whose readiness no event announces (open port, log line), and
  // inspects again the one-shot services still running: an inspection right after a `die` event
  // may not show the exit yet.
  void recheck()
  {
    for (auto& wait : m_waits) {
      if (!wait.needs_recheck()) {
        continue;
      }
      if (wait.fixture->readiness.kind == ReadinessSpec::Kind::k_health) {
        probe_health(wait);
      } else {
        judge(wait);
      }
    }
    for (auto& one_shot : m_one_shots) {
      if (needs_recheck(one_shot)) {
        one_shot.container = m_engine.inspect_container(one_shot.container->id);
        if (one_shot.container) {
          judge(one_shot);
        }
      }
    }
  }

  // True while a fixture of `service` is not ready: only then do its events need a look.
  bool waits_for(const std::string& service) const
  {
    return std::any_of(m_waits.begin(), m_waits.end(),
                       [&](const FixtureWait& wait) {
                         return !wait.ready && wait.fixture->service == service;
                       }) ||
           std::any_of(m_one_shots.begin(), m_one_shots.end(), [&](const OneShotWait& one_shot) {
             return !one_shot.completed && one_shot.service == service;
           });
  }

  bool needs_recheck() const
  {
    return std::any_of(m_waits.begin(), m_waits.end(),
                       [](const FixtureWait& wait) { return wait.needs_recheck(); }) ||
           std::any_of(m_one_shots.begin(), m_one_shots.end(),
                       [](const OneShotWait& one_shot) { return needs_recheck(one_shot); });
  }

  bool all_ready() const
  {
    return std::all_of(m_waits.begin(), m_waits.end(),
                       [](const FixtureWait& wait) { return wait.ready.has_value(); }) &&
           std::all_of(m_one_shots.begin(), m_one_shots.end(),
                       [](const OneShotWait& one_shot) { return one_shot.completed; });
  }

  std::map<std::string, ReadyEndpoint> endpoints() const
  {
    std::map<std::string, ReadyEndpoint> endpoints;
    for (const auto& wait : m_waits) {
      endpoints[wait.fixture->name] = wait.ready.value();
    }
    return endpoints;
  }

  [[noreturn]] void fail_timeout(Milliseconds timeout) const
  {
    for (const auto& wait : m_waits) {
      if (!wait.ready) {
        fail(wait, "was not ready within " + format_seconds(timeout) + ", still waiting for " +
                     wait.fixture->service + " (" + wait.waiting_for + ")");
      }
    }
    for (const auto& one_shot : m_one_shots) {
      if (!one_shot.completed) {
        fail_service(one_shot.service, "", one_shot.container,
                     "did not complete within " + format_seconds(timeout) + " (" +
                       (one_shot.container ? one_shot.container->state : "no container yet") +
                       ")");
      }
    }
    throw InternalError("readiness timeout without a fixture that is not ready");
  }

private:
  static bool needs_recheck(const OneShotWait& one_shot)
  {
    return !one_shot.completed && one_shot.container && one_shot.container->state == "running";
  }

  // Runs a starting `health` fixture's healthcheck itself (EarlyHealthProbe), after inspecting its
  // container once if it is only known from the listing.
  void probe_health(FixtureWait& wait)
  {
    if (!wait.container->inspected) {
      wait.container = m_engine.inspect_container(wait.container->id);
      if (!wait.container) {
        wait.waiting_for = "container removed";
        return;
      }
      judge(wait);
      if (wait.ready || !wait.starting_health_fixture()) {
        return;
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (!wait.probe || !wait.probe->due(now) || !wait.probe->passes(m_engine, now)) {
      return;
    }
    if (auto endpoint = published_endpoint(*wait.fixture, *wait.container)) {
      spdlog::debug("{}: {} passed its healthcheck before the engine's next run of it", m_stack,
                    wait.fixture->service);
      wait.ready = std::move(endpoint);
    }
  }

  // Where `fixture` is reached on `container`: the host port published for its container port.
  std::optional<ReadyEndpoint> published_endpoint(const FixtureConfig& fixture,
                                                  const ContainerSummary& container) const
  {
    const auto port = container.published_tcp_ports.find(fixture.container_port);
    if (port == container.published_tcp_ports.end()) {
      return std::nullopt;
    }
    return ReadyEndpoint{m_engine.address(), port->second};
  }

  // A one-shot service is done when its container exited 0; an exit with any other code fails the
  // stack (with on-failure the engine restarts it first: "exited" is its last word).
  void judge(OneShotWait& one_shot)
  {
    const ContainerSummary& container = *one_shot.container;
    if (container.state == "dead" ||
        (container.state == "exited" && container.exit_code.value_or(-1) != 0)) {
      fail_service(one_shot.service, "", one_shot.container,
                   "(a one-shot service) failed: " + exit_description(container));
    }
    if (container.state == "exited") {
      spdlog::debug("{}: {} completed", m_stack, one_shot.service);
      one_shot.completed = true;
    }
  }

  void judge(FixtureWait& wait)
  {
    const FixtureConfig& fixture = *wait.fixture;
    const ContainerSummary& container = *wait.container;
    if (container.state == "exited" || container.state == "dead") {
      fail(wait, "exited before it became ready (" + exit_description(container) + ")");
    }
    if (container.health == "unhealthy") {
      fail(wait, "reported unhealthy");
    }
    const bool running = container.state == "running";
    const auto published = published_endpoint(fixture, container);
    if (!published) {
      if (running) {
        fail(wait, "publishes no host port on " + m_engine.address() +
                     " or 0.0.0.0 for container port " +
                     std::to_string(fixture.container_port));
      }
      wait.waiting_for = container.state;
      return;
    }
    const ReadyEndpoint& endpoint = *published;
    bool is_ready = false;
    switch (fixture.readiness.kind) {
    case ReadinessSpec::Kind::k_health:
      if (running && container.health.empty()) {
        fail(wait,
             "has no healthcheck, but its fixture gates on health (add one, or use kind: port)");
      }
      is_ready = container.health == "healthy";
      if (!is_ready && wait.starting_health_fixture() && !wait.probe) {
        wait.probe = EarlyHealthProbe::for_container(container, fixture.container_port);
      }
      break;
    case ReadinessSpec::Kind::k_port:
      is_ready = running && tcp_port_accepts(endpoint.host, endpoint.port, k_port_connect_timeout);
      break;
    case ReadinessSpec::Kind::k_log_line:
      is_ready = m_engine.container_logs(container.id, k_log_search_lines)
                   .find(fixture.readiness.log_pattern) != std::string::npos;
      break;
    }
    if (is_ready) {
      spdlog::debug("{}: {} ready on {}:{}", m_stack, fixture.service, endpoint.host,
                    endpoint.port);
      wait.ready = endpoint;
    } else {
      wait.waiting_for = container.health.empty() ? container.state : container.health;
    }
  }

  [[noreturn]] void fail(const FixtureWait& wait, const std::string& reason) const
  {
    fail_service(wait.fixture->service, " (fixture " + wait.fixture->name + ")", wait.container,
                 reason);
  }

  [[noreturn]] void fail_service(const std::string& service, const std::string& fixture_note,
                                 const std::optional<ContainerSummary>& container,
                                 const std::string& reason) const
  {
    std::string message =
      "stack " + m_stack + ": service '" + service + "'" + fixture_note + " " + reason;
    if (container) {
      message += "\n--- last log lines of " + service + " ---\n" +
                 m_engine.container_logs(container->id, k_log_lines);
    }
    throw StackNotReadyError(message);
  }

  DockerEngine& m_engine;
  std::string m_stack;
  std::vector<FixtureWait> m_waits;
  std::vector<OneShotWait> m_one_shots;
};

}  // namespace

std::string exit_description(const ContainerSummary& container)
{
  if (container.state == "dead") {
    return "the engine reports the container dead";
  }
  return container.exit_code ? "exit code " + std::to_string(*container.exit_code)
                             : container.state;
}

ReadinessGate::ReadinessGate(DockerEngine& engine, std::string stack_name)
  : m_engine(engine),
    m_stack_name(std::move(stack_name))
{
}

std::map<std::string, ReadyEndpoint> ReadinessGate::wait(
  const std::vector<FixtureConfig>& fixtures, Milliseconds timeout,
  const std::vector<std::string>& one_shot_services)
{
  const auto deadline = Clock::now() + timeout;
  const std::vector<std::string> filters{label_filter(labels::k_stack, m_stack_name)};
  FixtureJudge judge(m_engine, m_stack_name, fixtures, one_shot_services);

  // Subscribe first, then look: a container that became healthy before the subscription is seen by
  // the listing, and every change after the listing arrives as an event.
  ContainerEventStream events = m_engine.open_container_events(filters, k_readiness_actions);
  for (const auto& container : m_engine.list_containers(filters)) {
    judge.update(container);
  }
  auto last_recheck = Clock::now();
  while (!judge.all_ready()) {
    if (interrupt_count() > 0) {
      throw Error(ExitCode::k_interrupted, "interrupted while waiting for " + m_stack_name);
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      judge.fail_timeout(timeout);
    }
    if (judge.needs_recheck() && now - last_recheck >= k_recheck_interval) {
      judge.recheck();
      last_recheck = now;
      continue;
    }
    const auto until_deadline = std::chrono::duration_cast<Milliseconds>(deadline - now);
    const std::optional<ContainerEvent> event =
      events.next(std::min(k_wake_interval, until_deadline + Milliseconds(1)));
    if (!event || !judge.waits_for(service_of(event->labels))) {
      continue;
    }
    spdlog::debug("{}: {} {}", m_stack_name, service_of(event->labels), event->action);
    // One inspect per event, never per poll: the event says that something changed, the
    // inspection what the container looks like now (ports, health, state).
    if (const auto container = m_engine.inspect_container(event->container_id)) {
      judge.update(*container);
    } else {
      judge.forget(event->container_id);
    }
  }
  return judge.endpoints();
}

bool tcp_port_accepts(const std::string& host, int port, Milliseconds timeout)
{
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &address.sin_addr);
  bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  if (!connected && errno == EINPROGRESS) {
    pollfd descriptor{fd, POLLOUT, 0};
    if (::poll(&descriptor, 1, static_cast<int>(timeout.count())) == 1) {
      int error = 0;
      socklen_t length = sizeof error;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
      connected = error == 0;
    }
  }
  ::close(fd);
  return connected;
}

std::map<std::string, std::string> fixture_environment(const FixtureConfig& fixture,
                                                       const ReadyEndpoint& endpoint)
{
  std::map<std::string, std::string> environment;
  for (const auto& [name, value] : fixture.environment) {
    environment[name] =
      replace_all(replace_all(value, "{host}", endpoint.host), "{port}", std::to_string(endpoint.port));
  }
  return environment;
}

}  // namespace orchestrate
