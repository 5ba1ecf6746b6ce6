#pragma once

#include "docker/ComposeCli.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace orchestrate {

// One entry of a service's `ports`, in compose's long syntax.
struct ServicePort
{
  int target = 0;              // the container port
  std::string published;       // the host port or range as written; "" for an ephemeral one
  std::string host_ip;         // "" for every interface
  std::string protocol = "tcp";
};

// One service of the resolved compose model.
struct ResolvedService
{
  std::string name;
  std::string image;  // as resolved ("orchestrate/postgres:latest"); "" for a service built only
  std::uint64_t memory_limit_bytes = 0;  // deploy.resources.limits.memory (or mem_limit); 0: none
  double cpu_limit = 0;                  // deploy.resources.limits.cpus (or cpus); 0: none
  bool has_healthcheck = false;
  std::vector<ServicePort> ports;
  std::string network_mode;  // "" (the stack's networks), "host", "none", "service:x", ...
  std::string restart;       // as written; "" when not set (Docker's default, "no")
  // A service that runs to completion (a migration, a seed): `restart: "no"` or `on-failure`
  // written out, or another service depends on it with `service_completed_successfully`.
  // Readiness waits for it to exit 0 instead of waiting for it to run.
  bool one_shot = false;

  // Whether the container may stop for good with exit code 0 and count as done: its restart
  // policy is "no" (also when not set) or on-failure.
  bool may_complete() const;
};

// The resolved model of a set of compose files, as `docker compose config --format json` prints it
// (after -f merging, `extends`, anchors, profiles and interpolation: compose does all of that).
struct ComposeModel
{
  std::vector<ResolvedService> services;
  std::vector<std::string> networks;  // keys of top-level networks that compose creates
  std::vector<std::string> volumes;   // keys of top-level named volumes that compose creates

  // Sum of the services' memory limits: what one stack may cost at most.
  std::uint64_t memory_limit_bytes() const;
  const ResolvedService* find_service(const std::string& name) const;
};

// Parses the JSON that `docker compose config --format json` prints. External networks and
// volumes are left out (they are not ours). Throws InternalError on malformed JSON.
ComposeModel parse_compose_model(const std::string& json_text);

// Runs `docker compose config --format json` for `cli` and parses it. Throws UsageError with
// compose's own message when the files are invalid.
ComposeModel load_compose_model(const ComposeCli& cli);

// The JSON text of `docker compose config --format json` for `cli` (what load_compose_model
// parses). Throws as load_compose_model does.
std::string resolve_compose_config(const ComposeCli& cli);

}  // namespace orchestrate
