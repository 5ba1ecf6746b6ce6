#pragma once

#include "config/SuiteConfig.hpp"
#include "docker/DockerEngine.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

using WallClock = std::chrono::system_clock;

// A fixture's service found dead (or broken) in a shard's stack, and how: what the shard needs to
// know which tests ran against the dead stack (DeadStackVerdict.hpp) and to name the death in the
// in-flight test's failure.
struct ServiceDeath
{
  std::string service;
  // "exited with code 137 (SIGKILL: killed)", "OOM-killed (exit code 137)", "exited with code 0",
  // "its container is gone", "unhealthy".
  std::string how;
  // When it died: the container's State.FinishedAt (the engine's clock, which is this host's).
  // nullopt when unknown (container gone, unhealthy but running).
  std::optional<WallClock::time_point> died_at;
  // When the shard noticed and began recreating its stack: tests that started after this ran on
  // the new stack.
  WallClock::time_point noticed_at;
};

// Docker's RFC 3339 time ("2026-12-01T21:10:03.123456789Z", UTC, optional fraction), or nullopt for
// the zero time Docker gives a container that never finished ("0001-01-01T00:00:00Z") and for
// anything that does not parse.
std::optional<WallClock::time_point> parse_docker_time(const std::string& text);

// "exited with code 137 (SIGKILL: killed)", "OOM-killed (exit code 137)", "exited with code 0".
std::string describe_container_ending(const ContainerEnding& ending);

// The fixtures' services of stack `stack_project` that are not running and healthy, each with how
// and when it ended (inspect: State.ExitCode, State.OOMKilled, State.FinishedAt), noticed now.
// Throws what the engine throws.
std::vector<ServiceDeath> find_service_deaths(DockerEngine& engine,
                                              const std::string& stack_project,
                                              const std::vector<FixtureConfig>& fixtures);

// "test-postgres exited with code 137 (SIGKILL: killed)" for each, joined by ", ".
std::string describe_service_deaths(const std::vector<ServiceDeath>& deaths);

}  // namespace orchestrate
