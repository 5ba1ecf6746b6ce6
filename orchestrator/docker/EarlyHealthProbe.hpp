#pragma once

#include "core/Quantities.hpp"
#include "docker/DockerEngine.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// The command the engine runs for a healthcheck `test` (Config.Healthcheck.Test): ["CMD", argv...]
// runs argv, ["CMD-SHELL", command] runs `/bin/sh -c command`. nullopt for ["NONE"], an empty or
// inherited ([]) test, or an unknown form: then only the engine's own checks can tell.
std::optional<std::vector<std::string>> healthcheck_command(const std::vector<std::string>& test);

// Runs a starting container's own healthcheck before the engine's next scheduled run of it.
//
// The engine runs a healthcheck first one `interval` after the start and then every interval
// (engine 20.10 has no `start_interval`), so a service that can serve after 1.1 s is reported
// healthy only at 2 s with a 1 s interval: on a run whose shards wait for their stacks, that second
// is on every shard's critical path. The probe closes it: once the fixture's port accepts TCP on
// the container's own network address (a cheap look that the service has started listening; a
// published port would always accept, its proxy listens for it), it runs the healthcheck's test in
// the container (POST /containers/{id}/exec), the very check the engine would run next. Passing is
// the same verdict the engine would reach: a healthcheck needs one passing run to turn healthy.
//
// The TCP look is only a filter that saves execs: when the container's address cannot be reached
// from here (an engine in another network namespace or on another host) the probe never execs and
// the engine's own checks decide, as before. A failing test is tried again with a growing pause
// (k_first_pause doubled up to k_longest_pause), so a slow service costs a few execs, not one per
// tick.
class EarlyHealthProbe
{
public:
  static constexpr Milliseconds k_first_pause{200};
  static constexpr Milliseconds k_longest_pause{1600};

  // nullopt when `container` (an inspection: ContainerSummary::inspected) has no healthcheck the
  // probe can run or no network address.
  static std::optional<EarlyHealthProbe> for_container(const ContainerSummary& container,
                                                        int container_port);

  // True when it is time to look again (the pause after the last failing exec has passed).
  bool due(std::chrono::steady_clock::time_point now) const;

  // Looks once: the TCP filter, then, if the port accepts, the healthcheck's test. True when the
  // test exited 0. Throws what DockerEngine::exec_in_container throws, except that a container that
  // stopped running is a `false` (its events tell the gate the rest).
  bool passes(DockerEngine& engine, std::chrono::steady_clock::time_point now);

private:
  EarlyHealthProbe(std::string container_id, std::vector<std::string> addresses, int port,
                   std::vector<std::string> command, Milliseconds timeout);

  std::string m_container_id;
  std::vector<std::string> m_addresses;
  int m_port = 0;
  std::vector<std::string> m_command;
  Milliseconds m_timeout;
  Milliseconds m_pause = k_first_pause;
  std::chrono::steady_clock::time_point m_next_look{};
};

// Whether the running container of a `health` fixture can serve tests, after its stack passed the
// readiness gate: "healthy", or "starting" in its first run (the gate ran its healthcheck itself
// and it passed; the engine has not run its own yet). "starting" after the engine restarted it
// (its restart policy: the run that passed is over), "unhealthy" or no health status cannot.
// Inspects the container when `container` is a listing's and says "starting". Throws what the
// engine throws.
bool health_serves_after_readiness(DockerEngine& engine, const ContainerSummary& container);

}  // namespace orchestrate
