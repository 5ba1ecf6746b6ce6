#include "run/ShardSettings.hpp"


namespace orchestrate {

ShardSettings make_shard_settings(const ProjectConfig& project, const SuiteConfig& suite,
                                  const RunOptions& options, int parallel,
                                  const std::vector<FixtureConfig>& fixtures,
                                  const std::string& run_id, const std::filesystem::path& run_dir)
{
  ShardSettings settings;
  settings.suite = suite.name;
  settings.run_id = run_id;
  settings.run_dir = run_dir;
  settings.fixtures = fixtures;
  settings.test_timeout = options.test_timeout.value_or(
    suite.test_timeout.count() > 0 ? suite.test_timeout : project.defaults.test_timeout);
  settings.keep_on_failure = options.keep_on_failure;
  settings.parallel = parallel;
  if (suite.runner == "pytest") {
    settings.pytest_worker = pytest_worker_options(project, suite, {}, settings.test_timeout);
    // As with batches: the tests' output goes straight to the shard log as it is written, so a
    // test that is killed keeps its output. Suite args that turn capturing back on come later and
    // win.
    settings.pytest_worker->args.insert(settings.pytest_worker->args.begin(), "-s");
    settings.pytest_worker->collection_timeout = collect_timeout(project, suite);
    settings.pytest_worker->scratch_dir = worker_scratch_dir(run_dir);
  }
  return settings;
}

}  // namespace orchestrate
