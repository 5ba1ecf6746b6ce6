#include "run/ShardSettings.hpp"

#include "environments/EnvironmentLookup.hpp"
#include "locking/OwnerIdentity.hpp"

namespace orchestrate {

ShardSettings make_shard_settings(const ProjectConfig& project, const SuiteConfig& suite,
                                  const RunOptions& options,
                                  const std::vector<FixtureConfig>& fixtures,
                                  const std::string& run_id, const std::filesystem::path& run_dir,
                                  const ComposeModel& model)
{
  ShardSettings settings;
  settings.project_prefix = project.prefix;
  settings.environment = options.environment;
  settings.run_id = run_id;
  settings.owner_label = to_label(current_owner());
  settings.run_dir = run_dir;
  settings.compose_files = find_environment(project, options.environment).compose_files;
  settings.fixtures = fixtures;
  settings.model = model;
  settings.readiness_timeout =
    options.readiness_timeout.value_or(project.defaults.readiness_timeout);
  settings.stop_timeout = project.defaults.stop_timeout;
  settings.test_timeout = options.test_timeout.value_or(
    suite.test_timeout.count() > 0 ? suite.test_timeout : project.defaults.test_timeout);
  settings.keep_on_failure = options.keep_on_failure;
  return settings;
}

}  // namespace orchestrate
