#pragma once

#include "cleanup/StaleVerdict.hpp"
#include "docker/DockerEngine.hpp"

#include <string>
#include <vector>

namespace orchestrate {

// One resource a sweep removed (or, with dry_run or when the engine refused, would remove).
struct SweptResource
{
  std::string kind;    // "container", "network" or "volume"
  std::string name;
  std::string reason;  // judge_resource()'s reason: "owner dead (...)", "older than 2h (...)"
  bool removed = false;  // false with dry_run, or when the engine refused (e.g. network in use)
};

// Sweeps what dead (or, with older_than, old) runs left behind: every container, network and
// volume labelled io.orchestrate.managed=true and io.orchestrate.env=<options.environment> (and
// io.orchestrate.project=<options.project_prefix> when that is set) that judge_resource() says to
// remove, each judged by its own labels. Lists only by those label filters (never by name), never
// prunes. Removes containers first, then networks, then volumes (in-use ones cannot go first);
// with dry_run removes nothing. Returns what it removed or would remove, in that order.
// Throws what DockerEngine throws when listing fails (EnvironmentError: no engine); a refused
// removal is not an error but an entry with removed == false.
std::vector<SweptResource> sweep_stale_resources(DockerEngine& engine, const SweepOptions& options);

}  // namespace orchestrate
