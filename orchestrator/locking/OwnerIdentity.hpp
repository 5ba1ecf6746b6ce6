#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace orchestrate {

// Who owns a Docker resource: the orchestrator process that created it. A pid alone is not
// enough (pids are recycled), so the process start time comes with it: together they name one
// process for the whole life of the machine.
struct OwnerIdentity
{
  std::string host;
  int pid = 0;
  std::uint64_t start_ticks = 0;  // /proc/<pid>/stat field 22 (clock ticks after boot)

  bool operator==(const OwnerIdentity&) const = default;
};

// This process: gethostname(), getpid() and our start time. Throws InternalError if /proc/self
// cannot be read.
OwnerIdentity current_owner();

// This machine's host name (gethostname). Never throws; "unknown-host" if it cannot be read.
std::string current_host();

// The label value for resources we create: "host:pid:start_ticks".
std::string to_label(const OwnerIdentity& owner);

// Parses a to_label() value; nullopt if `label` is not one (a resource labelled by something
// else, or an older format). Never throws.
std::optional<OwnerIdentity> owner_from_label(const std::string& label);

enum class OwnerState {
  k_alive,       // the owning process still runs on this host
  k_dead,        // same host, and no such process any more (or the pid now names another one)
  k_other_host,  // owned from another host: we cannot tell, so we must leave it alone
};

// Whether `owner` still runs. A zombie counts as dead: it has ended and only waits to be
// reaped. Never throws.
OwnerState owner_state(const OwnerIdentity& owner);

}  // namespace orchestrate
