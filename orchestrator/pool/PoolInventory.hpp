#pragma once

#include "config/ProjectConfig.hpp"
#include "docker/DockerEngine.hpp"
#include "pool/PoolRecord.hpp"
#include "pool/StackClaim.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// Where one environment's pool lives: its stacks on the engine (by label) and its records and
// claims on disk.
struct PoolPlace
{
  std::string project_prefix;
  std::string environment;
  std::filesystem::path pool_dir;  // pool_dir(state_dir, environment)
  std::filesystem::path lock_dir;  // the project's lock dir (claims under <lock_dir>/pool)
};

// The pool of `environment` in `project`.
PoolPlace pool_place(const ProjectConfig& project, const std::string& environment);

// The value of io.orchestrate.pool on the stacks of `place`: a digest of its pool folder.
std::string pool_label(const PoolPlace& place);

// One warm stack as the pool sees it.
struct PoolStack
{
  std::string stack;
  int containers = 0;               // its containers on the engine
  std::optional<PoolRecord> record; // nullopt: none, or unreadable
  std::string claimed_by;           // StackClaim::holder(); "" when unclaimed
  // Its warm pytest worker: "ready" (collected), "starting", or "" when it has none.
  std::string worker;
};

// Every pool stack of `place`: what carries io.orchestrate.pool=pool_label(place) with the place's
// project and environment on the engine (containers, networks, volumes, grouped by io.orchestrate.stack),
// plus records whose stack has nothing left on the engine. Sorted by stack. Throws as
// DockerEngine does when the engine does not answer.
std::vector<PoolStack> list_pool_stacks(DockerEngine& engine, const PoolPlace& place);

// Why an unclaimed pool stack is to be removed at `now`: "idle past its deadline (...)", "no
// readable pool record"; "" when it may stay. Pure.
std::string pool_expiry_reason(const std::optional<PoolRecord>& record,
                               std::chrono::system_clock::time_point now);

// Removes everything of a stack we hold the claim of: its resources by label (containers,
// networks, volumes), then its record, then the claim file. Appends what could not be removed to
// `failures`; the record and claim stay then, so that a later sweep tries again. Never throws.
void remove_claimed_pool_stack(DockerEngine& engine, const PoolPlace& place, StackClaim& claim,
                               std::vector<std::string>& failures) noexcept;

// What a sweep of the pool did.
struct PoolSweepResult
{
  std::vector<std::string> removed;  // "stack (why)"
  std::vector<std::string> claimed;  // stacks left alone because someone holds their claim
  std::vector<std::string> failures; // what could not be removed
  std::size_t remaining = 0;         // pool stacks left afterwards (claimed or not yet expired)
  std::optional<long long> next_deadline;  // the earliest deadline among those left, unix s
};

// Removes the pool stacks of `place` that have expired at `now` (pool_expiry_reason), or all of
// them with `everything` (`orchestrate pool down`). A stack is only touched under its claim: one
// in use by a run is never removed, only counted. Throws as DockerEngine does when listing fails.
PoolSweepResult sweep_pool(DockerEngine& engine, const PoolPlace& place,
                           std::chrono::system_clock::time_point now, bool everything);

}  // namespace orchestrate
