#pragma once

#include <map>
#include <string>

namespace orchestrate {

// The labels orchestrate puts on every container, network and volume it creates. Every removal we
// make is scoped by these labels and checked against the owner: nothing without them is ever ours.
namespace labels {
inline constexpr const char* k_managed = "io.orchestrate.managed";      // "true"
inline constexpr const char* k_project = "io.orchestrate.project";      // orchestrate.yaml prefix
inline constexpr const char* k_environment = "io.orchestrate.env";      // test | dev
inline constexpr const char* k_run = "io.orchestrate.run";              // run id ("" for env stacks)
inline constexpr const char* k_shard = "io.orchestrate.shard";          // 1-based shard index
inline constexpr const char* k_stack = "io.orchestrate.stack";          // compose project name
inline constexpr const char* k_owner = "io.orchestrate.owner";          // host:pid:start_ticks
inline constexpr const char* k_created = "io.orchestrate.created";      // unix seconds
// A stack of a --reuse run, kept warm between runs: which pool it belongs to (a digest of the
// pool's folder, so that two checkouts of one project never take each other's stacks). Such a
// stack is judged by its pool deadline, not by its owner's liveness (docs/warm-stacks.md).
inline constexpr const char* k_pool = "io.orchestrate.pool";
// Compose's own label on every container it creates: the service of the project it runs.
inline constexpr const char* k_compose_service = "com.docker.compose.service";
}  // namespace labels

// Who and what a stack belongs to; turned into the labels above.
struct StackOwnership
{
  std::string project_prefix;
  std::string environment;
  std::string run_id;
  int shard = 0;
  std::string stack;   // compose project name
  std::string owner;   // to_label(current_owner())
  long long created_unix_seconds = 0;
  std::string pool;  // a --reuse run's stacks: their pool's label (pool_label()); "" for others
};

// The label map for one stack's resources.
std::map<std::string, std::string> ownership_labels(const StackOwnership& ownership);

// The ownership that ownership_labels() turned into `resource_labels` (the inverse: a warm stack
// taken over by a later run keeps the labels it was created with). Unknown labels are ignored; a
// missing or unreadable number reads as 0. Never throws.
StackOwnership ownership_from_labels(const std::map<std::string, std::string>& resource_labels);

// A label filter "key=value" for the Engine API.
std::string label_filter(const std::string& key, const std::string& value);

}  // namespace orchestrate
