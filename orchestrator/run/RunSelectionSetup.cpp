#include "run/RunSelectionSetup.hpp"

#include "config/ConfigLoader.hpp"
#include "core/Error.hpp"

namespace orchestrate {

RunSelectionSetup prepare_run_selection(const ProjectConfig& project, const RunOptions& options)
{
  RunSelectionSetup setup;
  setup.selection.selectors =
    resolve_test_selectors(options.test_selectors, std::filesystem::current_path(), project.root);
  std::string suite_name = options.suite;
  if (suite_name.empty()) {
    if (setup.selection.selectors.empty()) {
      throw UsageError("--suite is required, or test paths to find it by (see orchestrate --help)");
    }
    suite_name = suite_for_selectors(project, setup.selection.selectors);
  }
  setup.suite = load_suite_config(project, suite_name);
  if (!options.marker_expression.empty()) {
    if (setup.suite.runner != "pytest") {
      throw UsageError("-m: markers are pytest's; suite '" + suite_name + "' uses the " +
                       setup.suite.runner + " runner (use -k to select by name)");
    }
    setup.suite.args.insert(setup.suite.args.end(), {"-m", options.marker_expression});
  }
  setup.selection.keyword_expression = options.keyword_expression;
  setup.selection.last_failed = options.last_failed;
  setup.selection.ci_shard = options.ci_shard;
  return setup;
}

}  // namespace orchestrate
