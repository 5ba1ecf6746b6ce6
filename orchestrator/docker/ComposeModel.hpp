#pragma once

#include "docker/ComposeCli.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace orchestrate {

// One service of the resolved compose model.
struct ResolvedService
{
  std::string name;
  std::uint64_t memory_limit_bytes = 0;  // deploy.resources.limits.memory (or mem_limit); 0: none
  double cpu_limit = 0;                  // deploy.resources.limits.cpus (or cpus); 0: none
  bool has_healthcheck = false;
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
