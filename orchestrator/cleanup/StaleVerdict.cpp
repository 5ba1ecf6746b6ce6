#include "cleanup/StaleVerdict.hpp"

#include "docker/ResourceLabels.hpp"

#include <charconv>

namespace orchestrate {

namespace {

std::string label_value(const std::map<std::string, std::string>& resource_labels,
                        const char* key)
{
  auto found = resource_labels.find(key);
  return found == resource_labels.end() ? std::string() : found->second;
}

std::optional<std::chrono::system_clock::time_point> created_time(const std::string& text)
{
  long long seconds = 0;
  const char* end = text.data() + text.size();
  auto [position, error] = std::from_chars(text.data(), end, seconds);
  // 0 is what an unset StackOwnership writes: it says nothing about the resource's age.
  if (text.empty() || error != std::errc() || position != end || seconds <= 0) {
    return std::nullopt;
  }
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

}  // namespace

std::string format_age(Milliseconds age)
{
  long long seconds = std::chrono::duration_cast<std::chrono::seconds>(age).count();
  if (seconds < 0) {
    seconds = 0;
  }
  struct Unit
  {
    const char* suffix;
    long long seconds;
  };
  constexpr Unit k_units[] = {{"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}};
  // The two largest units that apply: an age in days does not need its seconds.
  std::string text;
  int parts = 0;
  for (const auto& unit : k_units) {
    long long count = seconds / unit.seconds;
    if (parts == 1 || (count > 0 && parts == 0)) {
      if (count > 0) {
        text += std::to_string(count) + unit.suffix;
      }
      seconds -= count * unit.seconds;
      ++parts;
    }
  }
  return text.empty() ? "0s" : text;
}

StaleVerdict judge_resource(const std::map<std::string, std::string>& resource_labels,
                            std::chrono::system_clock::time_point now,
                            const SweepOptions& options,
                            const OwnerStateFunction& owner_state_of)
{
  if (label_value(resource_labels, labels::k_managed) != "true") {
    return {false, "not managed by orchestrate"};
  }
  const auto environment = label_value(resource_labels, labels::k_environment);
  if (environment != options.environment) {
    return {false, "environment '" + environment + "', not '" + options.environment + "'"};
  }
  const auto project = label_value(resource_labels, labels::k_project);
  if (!options.project_prefix.empty() && project != options.project_prefix) {
    return {false, "project '" + project + "', not '" + options.project_prefix + "'"};
  }
  if (!label_value(resource_labels, labels::k_pool).empty()) {
    // A warm stack's creator has exited by design: its pool deadline decides (PoolInventory).
    return {false, "warm pool stack (removed at its pool deadline; see `orchestrate pool status`)"};
  }
  if (label_value(resource_labels, labels::k_run).empty() && !options.include_env_stacks) {
    // Its owner died when `env up` returned: "owner dead" says nothing about whether anyone
    // still uses the stack.
    return {false, "env stack (removed by `orchestrate env down`, or by cleanup with "
                   "--include-env-stacks)"};
  }

  const auto owner_label = label_value(resource_labels, labels::k_owner);
  const auto owner = owner_from_label(owner_label);
  std::string owner_text = "owner unreadable ('" + owner_label + "')";
  if (owner) {
    switch (owner_state_of(*owner)) {
    case OwnerState::k_dead:
      return {true, "owner dead (" + owner_label + ")"};
    case OwnerState::k_alive:
      owner_text = "owner alive (" + owner_label + ")";
      break;
    case OwnerState::k_other_host:
      owner_text = "owner on another host (" + owner_label + ")";
      break;
    }
  }

  if (!options.older_than) {
    return {false, owner_text};
  }
  const auto created = created_time(label_value(resource_labels, labels::k_created));
  if (!created) {
    return {false, owner_text + ", creation time unreadable"};
  }
  const auto age = std::chrono::duration_cast<Milliseconds>(now - *created);
  if (age >= *options.older_than) {
    return {true, "older than " + format_age(*options.older_than) + " (created " + format_age(age)
                    + " ago)"};
  }
  return {false, owner_text + ", created " + format_age(age) + " ago"};
}

}  // namespace orchestrate
