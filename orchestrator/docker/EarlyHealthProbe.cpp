#include "docker/EarlyHealthProbe.hpp"

#include "core/Error.hpp"
#include "docker/ReadinessGate.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace orchestrate {

namespace {

// A container address on a local bridge answers a connect at once (accepted or refused); an
// unreachable one must not hold the gate's loop for long.
constexpr Milliseconds k_connect_timeout(50);
// The engine's default healthcheck timeout, used when the container's says 0.
constexpr Milliseconds k_default_check_timeout(30'000);

}  // namespace

std::optional<std::vector<std::string>> healthcheck_command(const std::vector<std::string>& test)
{
  if (test.size() >= 2 && test.front() == "CMD") {
    return std::vector<std::string>(test.begin() + 1, test.end());
  }
  if (test.size() == 2 && test.front() == "CMD-SHELL") {
    return std::vector<std::string>{"/bin/sh", "-c", test.back()};
  }
  return std::nullopt;
}

std::optional<EarlyHealthProbe> EarlyHealthProbe::for_container(const ContainerSummary& container,
                                                                 int container_port)
{
  auto command = healthcheck_command(container.health_test);
  if (!container.inspected || !command || container.network_addresses.empty()) {
    return std::nullopt;
  }
  const Milliseconds timeout =
    container.health_timeout.count() > 0 ? container.health_timeout : k_default_check_timeout;
  return EarlyHealthProbe(container.id, container.network_addresses, container_port,
                          std::move(*command), timeout);
}

EarlyHealthProbe::EarlyHealthProbe(std::string container_id, std::vector<std::string> addresses,
                                   int port, std::vector<std::string> command,
                                   Milliseconds timeout)
  : m_container_id(std::move(container_id)),
    m_addresses(std::move(addresses)),
    m_port(port),
    m_command(std::move(command)),
    m_timeout(timeout)
{
}

bool EarlyHealthProbe::due(std::chrono::steady_clock::time_point now) const
{
  return now >= m_next_look;
}

bool EarlyHealthProbe::passes(DockerEngine& engine, std::chrono::steady_clock::time_point now)
{
  const bool listening = std::any_of(m_addresses.begin(), m_addresses.end(), [&](const auto& ip) {
    return tcp_port_accepts(ip, m_port, k_connect_timeout);
  });
  if (!listening) {
    return false;
  }
  try {
    const ExecOutcome outcome = engine.exec_in_container(m_container_id, m_command, m_timeout);
    if (outcome.exit_code == 0) {
      return true;
    }
    spdlog::debug("{}: early healthcheck exited {}", m_container_id.substr(0, 12),
                  outcome.timed_out ? std::string("late") : std::to_string(outcome.exit_code));
  } catch (const InternalError& error) {
    // Most likely it stopped running between the inspection and the exec: its `die` event says so.
    spdlog::debug("{}: early healthcheck not run: {}", m_container_id.substr(0, 12), error.what());
  }
  m_next_look = now + m_pause;
  m_pause = std::min(m_pause * 2, k_longest_pause);
  return false;
}

bool health_serves_after_readiness(DockerEngine& engine, const ContainerSummary& container)
{
  if (container.health != "starting") {
    return container.health == "healthy";
  }
  // A listing has no RestartCount: look at the container itself.
  const auto inspected = container.inspected ? std::optional(container)
                                             : engine.inspect_container(container.id);
  return inspected && (inspected->health == "healthy" ||
                       (inspected->health == "starting" && inspected->restart_count == 0));
}

}  // namespace orchestrate
