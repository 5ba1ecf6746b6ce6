#pragma once

#include "core/Quantities.hpp"
#include "locking/OwnerIdentity.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace orchestrate {

// What a stale sweep looks for.
struct SweepOptions
{
  std::string environment = "test";       // only resources labelled io.orchestrate.env=<this>
  std::optional<Milliseconds> older_than;  // also remove what was created at least this long ago
  bool dry_run = false;                    // list, remove nothing
  std::string project_prefix;              // empty: any orchestrate project
  // Also judge env stacks (`orchestrate env up`: no run id). Their owner is the `env up` process,
  // dead as soon as it returned, so without this flag no sweep ever removes them.
  bool include_env_stacks = false;
};

// Whether one resource is to be removed, and why (for the user: "owner dead (...)", or why not).
struct StaleVerdict
{
  bool remove = false;
  std::string reason;
};

using OwnerStateFunction = std::function<OwnerState(const OwnerIdentity&)>;

// Judges one container, network or volume by its labels alone; never looks at its name.
//
// Kept: anything without io.orchestrate.managed=true; a warm pool stack (io.orchestrate.pool set),
// which its pool deadline governs instead (pool/PoolInventory.hpp); anything of another environment than
// options.environment (so the dev stack only when that is "dev"); anything of another project
// than options.project_prefix when that is set; an env stack's resources (io.orchestrate.run
// missing or empty, as `env up` labels them) unless options.include_env_stacks. Removed: what `owner_state_of` says has a dead
// owner (same host, process gone); and, only when options.older_than is set, what has a valid
// io.orchestrate.created at least that long before `now`, whoever owns it (a live owner and
// another host's owner included). Everything else is kept: a live owner, another host's owner,
// an owner label we cannot read, a created label we cannot read. Never throws (unless
// `owner_state_of` does).
StaleVerdict judge_resource(const std::map<std::string, std::string>& resource_labels,
                            std::chrono::system_clock::time_point now,
                            const SweepOptions& options,
                            const OwnerStateFunction& owner_state_of = owner_state);

// "45s", "12m", "2h30m", "3d4h": a coarse age for messages. Negative durations read as "0s".
std::string format_age(Milliseconds age);

}  // namespace orchestrate
