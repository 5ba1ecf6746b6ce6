#include "run/ServiceDeath.hpp"

#include "docker/EarlyHealthProbe.hpp"
#include "docker/ResourceLabels.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <signal.h>
#include <string.h>

namespace orchestrate {

namespace {

// The signal a 128+n exit code stands for, as "SIGKILL: killed", or "" when it is no signal.
std::string signal_behind(int exit_code)
{
  if (exit_code <= 128 || exit_code >= 128 + 65) {
    return "";
  }
  const int signal_number = exit_code - 128;
  const char* name = ::sigabbrev_np(signal_number);
  const char* description = ::sigdescr_np(signal_number);
  if (name == nullptr) {
    return "";
  }
  return std::string("SIG") + name + (description != nullptr ? std::string(": ") + description : "");
}

}  // namespace

std::optional<WallClock::time_point> parse_docker_time(const std::string& text)
{
  std::tm fields{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &fields.tm_year, &fields.tm_mon,
                  &fields.tm_mday, &fields.tm_hour, &fields.tm_min, &fields.tm_sec,
                  &consumed) != 6 ||
      fields.tm_year < 1970) {
    return std::nullopt;
  }
  fields.tm_year -= 1900;
  fields.tm_mon -= 1;
  std::size_t position = static_cast<std::size_t>(consumed);
  long long nanoseconds = 0;
  if (position < text.size() && text[position] == '.') {
    long long scale = 100'000'000;
    for (++position; position < text.size() &&
                     std::isdigit(static_cast<unsigned char>(text[position]));
         ++position) {
      nanoseconds += (text[position] - '0') * scale;
      scale /= 10;
    }
  }
  // Docker reports UTC ("Z"); an offset would be another clock, which we do not guess at.
  if (position + 1 != text.size() || text[position] != 'Z') {
    return std::nullopt;
  }
  const std::time_t seconds = ::timegm(&fields);
  return WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(
    std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanoseconds)));
}

std::string describe_container_ending(const ContainerEnding& ending)
{
  if (ending.oom_killed) {
    return "OOM-killed (exit code " + std::to_string(ending.exit_code) + ")";
  }
  if (ending.status == "running") {
    return "unhealthy";
  }
  const auto signal = signal_behind(ending.exit_code);
  return "exited with code " + std::to_string(ending.exit_code) +
         (signal.empty() ? "" : " (" + signal + ")");
}

std::vector<ServiceDeath> find_service_deaths(DockerEngine& engine,
                                              const std::string& stack_project,
                                              const std::vector<FixtureConfig>& fixtures)
{
  const auto now = WallClock::now();
  const auto containers = engine.list_containers({label_filter(labels::k_stack, stack_project)});
  std::vector<ServiceDeath> deaths;
  for (const auto& fixture : fixtures) {
    const auto container =
      std::find_if(containers.begin(), containers.end(), [&](const ContainerSummary& candidate) {
        const auto service = candidate.labels.find(labels::k_compose_service);
        return service != candidate.labels.end() && service->second == fixture.service;
      });
    ServiceDeath death;
    death.service = fixture.service;
    death.noticed_at = now;
    if (container == containers.end()) {
      death.how = "its container is gone";
      deaths.push_back(death);
      continue;
    }
    const bool unhealthy = fixture.readiness.kind == ReadinessSpec::Kind::k_health &&
                           !health_serves_after_readiness(engine, *container);
    if (container->state == "running" && !unhealthy) {
      continue;
    }
    const auto ending = engine.container_ending(container->id);
    if (!ending) {
      death.how = "its container is gone";
    } else {
      death.how = describe_container_ending(*ending);
      if (ending->status != "running") {
        death.died_at = parse_docker_time(ending->finished_at);
      }
    }
    deaths.push_back(death);
  }
  return deaths;
}

std::string describe_service_deaths(const std::vector<ServiceDeath>& deaths)
{
  std::string text;
  for (const auto& death : deaths) {
    text += (text.empty() ? "" : ", ") + death.service + " " + death.how;
  }
  return text;
}

}  // namespace orchestrate
