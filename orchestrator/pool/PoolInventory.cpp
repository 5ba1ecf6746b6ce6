#include "pool/PoolInventory.hpp"

#include "cleanup/StaleVerdict.hpp"
#include "docker/ComposeStack.hpp"
#include "docker/ResourceLabels.hpp"

#include <map>
#include <spdlog/spdlog.h>

namespace orchestrate {

namespace {

std::vector<std::string> pool_filters(const PoolPlace& place)
{
  return {label_filter(labels::k_managed, "true"), label_filter(labels::k_project, place.project_prefix),
          label_filter(labels::k_environment, place.environment),
          label_filter(labels::k_pool, pool_label(place))};
}

long long unix_seconds(std::chrono::system_clock::time_point time)
{
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

void note_resource(std::map<std::string, PoolStack>& stacks,
                   const std::map<std::string, std::string>& resource_labels, bool container)
{
  const auto stack = resource_labels.find(labels::k_stack);
  if (stack == resource_labels.end() || stack->second.empty()) {
    return;
  }
  auto& entry = stacks[stack->second];
  entry.stack = stack->second;
  entry.containers += container ? 1 : 0;
}

}  // namespace

PoolPlace pool_place(const ProjectConfig& project, const std::string& environment)
{
  return {project.prefix, environment, pool_dir(project.state_dir, environment), project.lock_dir};
}

std::string pool_label(const PoolPlace& place)
{
  return stable_digest(std::filesystem::absolute(place.pool_dir).lexically_normal().string());
}

std::vector<PoolStack> list_pool_stacks(DockerEngine& engine, const PoolPlace& place)
{
  std::map<std::string, PoolStack> stacks;
  const auto filters = pool_filters(place);
  for (const auto& container : engine.list_containers(filters)) {
    note_resource(stacks, container.labels, true);
  }
  for (const auto& network : engine.list_networks(filters)) {
    note_resource(stacks, network.labels, false);
  }
  for (const auto& volume : engine.list_volumes(filters)) {
    note_resource(stacks, volume.labels, false);
  }
  for (const auto& stack : list_pool_records(place.pool_dir)) {
    stacks[stack].stack = stack;
  }
  std::vector<PoolStack> result;
  for (auto& [name, stack] : stacks) {
    stack.record = load_pool_record(place.pool_dir, name);
    stack.claimed_by = StackClaim::holder(place.lock_dir, name);
    if (stack.record && !stack.record->worker_token.empty()) {
      stack.worker = pool_worker_ready(place.pool_dir, name) ? "ready" : "starting";
    }
    result.push_back(std::move(stack));
  }
  return result;
}

std::string pool_expiry_reason(const std::optional<PoolRecord>& record,
                               std::chrono::system_clock::time_point now)
{
  if (!record) {
    // Unclaimed and unrecorded: a run that died before returning it, or a record lost by hand.
    return "no readable pool record";
  }
  const long long seconds = unix_seconds(now);
  if (seconds >= record->deadline) {
    return "idle past its deadline (" + format_age(Milliseconds((seconds - record->deadline) * 1000)) +
           " ago)";
  }
  return "";
}

void remove_claimed_pool_stack(DockerEngine& engine, const PoolPlace& place, StackClaim& claim,
                               std::vector<std::string>& failures) noexcept
{
  const auto before = failures.size();
  remove_labelled_resources(
    engine, {label_filter(labels::k_stack, claim.stack()), label_filter(labels::k_pool, pool_label(place))},
    failures);
  if (failures.size() != before) {
    return;  // the record and the claim file stay: the next sweep tries again
  }
  remove_pool_record(place.pool_dir, claim.stack());
  claim.release_and_remove_file();
}

PoolSweepResult sweep_pool(DockerEngine& engine, const PoolPlace& place,
                           std::chrono::system_clock::time_point now, bool everything)
{
  PoolSweepResult result;
  for (const auto& stack : list_pool_stacks(engine, place)) {
    if (!stack.claimed_by.empty()) {
      result.claimed.push_back(stack.stack);
      ++result.remaining;
      continue;
    }
    auto claim = StackClaim::try_claim(place.lock_dir, stack.stack);
    if (!claim) {
      result.claimed.push_back(stack.stack);  // claimed since the listing
      ++result.remaining;
      continue;
    }
    // Read again under the claim: a run may have returned it (new deadline) in between.
    const auto record = load_pool_record(place.pool_dir, stack.stack);
    const std::string why = everything ? "pool down" : pool_expiry_reason(record, now);
    if (why.empty()) {
      ++result.remaining;
      if (!result.next_deadline || record->deadline < *result.next_deadline) {
        result.next_deadline = record->deadline;
      }
      continue;
    }
    const auto failed_before = result.failures.size();
    remove_claimed_pool_stack(engine, place, *claim, result.failures);
    if (result.failures.size() == failed_before) {
      result.removed.push_back(stack.stack + " (" + why + ")");
    } else {
      ++result.remaining;
    }
  }
  return result;
}

}  // namespace orchestrate
