#include "docker/ComposeStack.hpp"

#include "core/Error.hpp"
#include "docker/EarlyHealthProbe.hpp"
#include "docker/OverrideFile.hpp"
#include "docker/PortWiring.hpp"
#include "process/SignalState.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <utility>
#include <spdlog/spdlog.h>

namespace orchestrate {

namespace {

constexpr Milliseconds k_down_bound(60'000);

std::vector<std::filesystem::path> with_override(std::vector<std::filesystem::path> files,
                                                 const std::filesystem::path& override_file)
{
  files.push_back(override_file);
  return files;
}

std::string seconds_argument(Milliseconds duration)
{
  return std::to_string((duration.count() + 999) / 1000);
}

}  // namespace

ComposeStack::ComposeStack(StackSpec spec, DockerEngine& engine)
  : m_spec(std::move(spec)),
    m_engine(engine),
    m_cli(m_spec.ownership.stack,
          with_override(m_spec.compose_files, m_spec.work_dir / "compose.override.yml"),
          m_spec.work_dir / "compose.log", engine.client_environment())
{
  write_override_file(m_spec.work_dir / "compose.override.yml", m_spec.model,
                      ownership_labels(m_spec.ownership), m_spec.published_ports,
                      engine.address());
}

ComposeStack::~ComposeStack()
{
  if (!m_kept) {
    tear_down();
  }
}

const std::string& ComposeStack::project_name() const
{
  return m_cli.project_name();
}

void ComposeStack::up()
{
  m_up_attempted = true;
  spdlog::debug("{}: up", project_name());
  const auto result = m_cli.run({"up", "-d", "--no-build", "--remove-orphans"}, m_spec.up_timeout);
  if (result.exit.interrupted) {
    throw Error(ExitCode::k_interrupted, "interrupted while starting " + project_name());
  }
  if (!result.exit.succeeded()) {
    throw InternalError("`docker compose up` failed for " + project_name() +
                        (result.exit.timed_out ? " (timed out)" : "") + ":\n" + result.output);
  }
}

std::vector<std::string> ComposeStack::one_shot_services(
  const std::vector<FixtureConfig>& fixtures) const
{
  std::vector<std::string> one_shots;
  for (const auto& service : m_spec.model.services) {
    const bool fixture_service =
      std::any_of(fixtures.begin(), fixtures.end(),
                  [&](const FixtureConfig& fixture) { return fixture.service == service.name; });
    if (service.one_shot && !fixture_service) {
      one_shots.push_back(service.name);
    }
  }
  return one_shots;
}

void ComposeStack::rerun_one_shots(const std::vector<FixtureConfig>& fixtures)
{
  const auto one_shots = one_shot_services(fixtures);
  if (one_shots.empty()) {
    return;
  }
  spdlog::debug("{}: running {} one-shot service(s) again", project_name(), one_shots.size());
  std::vector<std::string> arguments{"up", "-d", "--no-build", "--force-recreate", "--no-deps"};
  arguments.insert(arguments.end(), one_shots.begin(), one_shots.end());
  const auto result = m_cli.run(arguments, m_spec.up_timeout);
  if (result.exit.interrupted) {
    throw Error(ExitCode::k_interrupted, "interrupted while starting " + project_name());
  }
  if (!result.exit.succeeded()) {
    throw InternalError("running " + one_shots.front() + " again for " + project_name() +
                        " failed" + (result.exit.timed_out ? " (timed out)" : "") + ":\n" +
                        result.output);
  }
}

std::map<std::string, ReadyEndpoint> ComposeStack::wait_ready(
  const std::vector<FixtureConfig>& fixtures, Milliseconds timeout)
{
  ReadinessGate gate(m_engine, project_name());
  auto endpoints = gate.wait(fixtures, timeout, one_shot_services(fixtures));
  verify_port_wiring(m_engine, project_name(), fixtures, endpoints);
  return endpoints;
}

namespace {

// The container of compose service `service` among a stack's containers, or end().
std::vector<ContainerSummary>::const_iterator find_service_container(
  const std::vector<ContainerSummary>& containers, const std::string& service)
{
  return std::find_if(containers.begin(), containers.end(),
                      [&](const ContainerSummary& candidate) {
                        const auto label = candidate.labels.find(labels::k_compose_service);
                        return label != candidate.labels.end() && label->second == service;
                      });
}

}  // namespace

std::optional<std::map<std::string, ReadyEndpoint>> ComposeStack::published_endpoints(
  const std::vector<FixtureConfig>& fixtures)
{
  const auto containers = m_engine.list_containers({label_filter(labels::k_stack, project_name())});
  std::map<std::string, ReadyEndpoint> endpoints;
  for (const auto& fixture : fixtures) {
    const auto container = find_service_container(containers, fixture.service);
    if (container == containers.end()) {
      return std::nullopt;
    }
    const auto port = container->published_tcp_ports.find(fixture.container_port);
    if (port == container->published_tcp_ports.end()) {
      return std::nullopt;
    }
    endpoints[fixture.name] = ReadyEndpoint{m_engine.address(), port->second};
  }
  return endpoints;
}

std::vector<std::string> ComposeStack::broken_services(const std::vector<FixtureConfig>& fixtures)
{
  const auto containers = m_engine.list_containers({label_filter(labels::k_stack, project_name())});
  std::vector<std::string> broken;
  for (const auto& fixture : fixtures) {
    const auto container = find_service_container(containers, fixture.service);
    if (container == containers.end()) {
      broken.push_back(fixture.service + ": container gone");
    } else if (container->state != "running") {
      broken.push_back(fixture.service + ": " + container->state);
    } else if (fixture.readiness.kind == ReadinessSpec::Kind::k_health &&
               !health_serves_after_readiness(m_engine, *container)) {
      broken.push_back(fixture.service + ": " +
                       (container->health.empty() ? "no health status" : container->health));
    }
  }
  return broken;
}

void ComposeStack::keep()
{
  m_kept = true;
}

TeardownReport ComposeStack::tear_down() noexcept
{
  TeardownReport report;
  if (m_torn_down) {
    return report;
  }
  m_torn_down = true;
  const auto started = std::chrono::steady_clock::now();
  spdlog::debug("{}: tearing down", project_name());
  try {
    // After a second Ctrl-C the user wants out now: no stop grace period.
    const auto stop_timeout = interrupt_count() >= 2 ? Milliseconds(0) : m_spec.stop_timeout;
    if (m_up_attempted && stop_timeout.count() > 0) {
      // A grace period was asked for (a service flushes something on SIGTERM): compose stops the
      // containers in parallel, waits up to the grace period, then kills.
      const auto result = m_cli.run(
        {"down", "-v", "--remove-orphans", "-t", seconds_argument(stop_timeout)}, k_down_bound,
        false);
      if (!result.exit.succeeded()) {
        spdlog::warn("{}: `docker compose down` failed; removing by label instead:\n{}",
                     project_name(), result.output);
      }
    }
    // Without a grace period the removal by label below is the whole teardown: forced removal
    // kills at once (a PID 1 that ignores SIGTERM costs nothing) and no compose process starts.
    // After `down`: it exits 0 even when a network or volume is still in use, and cannot see what
    // a half-finished `up` created, so verify by our label and remove whatever is left.
    report.removed_leftovers = remove_labelled_resources(
      m_engine, {label_filter(labels::k_stack, project_name())}, report.failed_removals);
    for (const auto& leftover : report.removed_leftovers) {
      spdlog::debug("{}: removed leftover {}", project_name(), leftover);
    }
  } catch (const std::exception& error) {
    report.failed_removals.push_back("the remaining resources (" + std::string(error.what()) + ")");
  }
  for (const auto& failure : report.failed_removals) {
    spdlog::error("{}: could not remove {} (the run's reaper or `orchestrate cleanup` retries)",
                  project_name(), failure);
  }
  report.duration = std::chrono::duration_cast<Milliseconds>(std::chrono::steady_clock::now() -
                                                             started);
  spdlog::debug("{}: torn down in {}", project_name(), format_seconds(report.duration));
  return report;
}

std::vector<std::string> remove_labelled_resources(DockerEngine& engine,
                                                   const std::vector<std::string>& label_filters,
                                                   std::vector<std::string>& failures)
{
  std::vector<std::string> removed;
  try {
    // Containers first: networks and volumes in use by a container cannot be removed. Each
    // forced removal waits for its container to die, so they run side by side.
    std::vector<std::future<std::pair<std::string, bool>>> removals;
    for (const auto& container : engine.list_containers(label_filters)) {
      removals.push_back(std::async(std::launch::async, [&engine, container] {
        return std::pair("container " + container.name, engine.remove_container(container.id));
      }));
    }
    for (auto& removal : removals) {
      const auto [what, gone] = removal.get();
      (gone ? removed : failures).push_back(what);
    }
    for (const auto& network : engine.list_networks(label_filters)) {
      const auto what = "network " + network.name;
      (engine.remove_network(network.id) ? removed : failures).push_back(what);
    }
    for (const auto& volume : engine.list_volumes(label_filters)) {
      const auto what = "volume " + volume.name;
      (engine.remove_volume(volume.name) ? removed : failures).push_back(what);
    }
  } catch (const EnvironmentError&) {
    // Its message is about starting an engine, which reads oddly after "could not remove".
    failures.push_back("the remaining resources (the Docker engine at " + engine.socket_path() +
                       " does not answer)");
  } catch (const std::exception& error) {
    failures.push_back("the remaining resources (" + std::string(error.what()) + ")");
  }
  return removed;
}

}  // namespace orchestrate
