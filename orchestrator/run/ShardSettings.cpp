#include "run/ShardSettings.hpp"


namespace orchestrate {

ShardSettings make_shard_settings(const ProjectConfig& project, const SuiteConfig& suite,
                                  const RunOptions& options,
                                  const std::vector<FixtureConfig>& fixtures,
                                  const std::string& run_id, const std::filesystem::path& run_dir)
{
  ShardSettings settings;
  settings.run_id = run_id;
  settings.run_dir = run_dir;
  settings.fixtures = fixtures;
  settings.test_timeout = options.test_timeout.value_or(
    suite.test_timeout.count() > 0 ? suite.test_timeout : project.defaults.test_timeout);
  settings.keep_on_failure = options.keep_on_failure;
  if (suite.runner == "pytest") {
    settings.pytest_worker = pytest_worker_options(project, suite, {}, settings.test_timeout);
    settings.pytest_worker->collection_timeout = collect_timeout(project, suite);
  }
  return settings;
}

}  // namespace orchestrate
