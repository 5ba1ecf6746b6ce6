#include "environments/EnvironmentLookup.hpp"

#include "core/Error.hpp"

namespace orchestrate {

const EnvironmentConfig& find_environment(const ProjectConfig& project, const std::string& name)
{
  auto found = project.environments.find(name);
  if (found == project.environments.end()) {
    std::string known;
    for (const auto& [environment, config] : project.environments) {
      known += (known.empty() ? "" : ", ") + environment;
    }
    throw UsageError("unknown environment '" + name + "'; " + project.source_path.string() +
                     " defines: " + known);
  }
  return found->second;
}

const EnvironmentConfig& find_long_lived_environment(const ProjectConfig& project,
                                                     const std::string& name)
{
  if (name == k_test_environment) {
    // A long-lived `test` stack would share the environment lock and the label space of runs,
    // which bring up one stack per shard and remove everything of theirs at the end.
    throw UsageError("`orchestrate env` manages long-lived environments such as dev; the test "
                     "environment belongs to runs, which start one stack per shard "
                     "(`orchestrate --suite NAME`)");
  }
  return find_environment(project, name);
}

}  // namespace orchestrate
