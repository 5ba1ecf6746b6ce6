#pragma once

#include "pool/PoolKey.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// What the pool knows about one warm stack, beyond its labels (which the engine cannot change
// after creation): its key, its images, and its idle deadline. One JSON file per stack,
// <state_dir>/pool/<env>/<stack>.json, beside the folder holding the stack's compose override
// file (<stack>/compose.override.yml), which a `recreate` reset needs after the run that created
// the stack (and its run folder) is gone.
struct PoolRecord
{
  std::string stack;        // compose project name
  int shard = 0;            // the shard it was created for (its labels say so)
  PoolKey key;
  StackImages images;       // read from the engine when the stack was returned
  // The labels its resources were created with (ResourceLabels), so that a later run writes the
  // same override file and compose sees the same configuration.
  std::map<std::string, std::string> labels;
  long long created = 0;    // unix seconds
  long long returned = 0;   // last time a run returned it (or claimed it, see deadline)
  long long deadline = 0;   // unix seconds: past it, an unclaimed stack is removed
  int claims = 0;           // how many runs claimed it so far
  // Reset by the run that returned it (after its last test): a claim then only checks readiness.
  // False for a stack a run left claimed (killed): the next claim resets it first.
  bool clean = false;
  // The escape token of the warm pytest worker parked beside it (ParkedPytestWorker), which
  // every removal ends; empty when none.
  std::string worker_token;
};

// <state_dir>/pool/<environment>: where the records of one environment's pool live.
std::filesystem::path pool_dir(const std::filesystem::path& state_dir,
                               const std::string& environment);

// <pool_dir>/<stack>: the folder of one stack's files (its compose override file).
std::filesystem::path pool_stack_dir(const std::filesystem::path& pool_dir,
                                     const std::string& stack);

// <pool_dir>/<stack>/worker: the link to the folder of the stack's warm pytest worker
// (ParkedPytestWorker).
std::filesystem::path pool_worker_link(const std::filesystem::path& pool_dir,
                                       const std::string& stack);

// Whether the stack's warm worker has collected (its worker.ready file exists). Never throws.
bool pool_worker_ready(const std::filesystem::path& pool_dir, const std::string& stack) noexcept;

// Writes `record` to <pool_dir>/<stack>.json atomically (a temporary file, then rename). Throws
// InternalError when it cannot.
void save_pool_record(const std::filesystem::path& pool_dir, const PoolRecord& record);

// The record of `stack`; nullopt when there is none or it cannot be read (an unreadable record is
// as good as none: its stack is removed). Never throws.
std::optional<PoolRecord> load_pool_record(const std::filesystem::path& pool_dir,
                                           const std::string& stack);

// The stacks that have a record in `pool_dir`, sorted. Never throws.
std::vector<std::string> list_pool_records(const std::filesystem::path& pool_dir);

// Ends the warm pytest worker of `stack` and everything it started: the one its record names and
// the one its folder holds (a run killed before it returned the stack may have started it).
// Never throws.
void end_warm_worker(const std::filesystem::path& pool_dir, const std::string& stack) noexcept;

// Removes the record of `stack` and its folder, and ends its warm worker. Never throws.
void remove_pool_record(const std::filesystem::path& pool_dir, const std::string& stack) noexcept;

}  // namespace orchestrate
