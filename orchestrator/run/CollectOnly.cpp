#include "run/CollectOnly.hpp"

#include "config/ConfigLoader.hpp"
#include "run/EmptyShare.hpp"
#include "run/RunSelectionSetup.hpp"
#include "runners/TestRunner.hpp"
#include "selection/DurationStore.hpp"

#include <chrono>
#include <cstdio>

namespace orchestrate {

ExitCode collect_only(const RunOptions& options)
{
  const auto started = std::chrono::steady_clock::now();
  const auto project = load_project_config(std::filesystem::absolute(options.project_dir));
  const auto setup = prepare_run_selection(project, options);
  auto runner = make_test_runner(project, setup.suite);
  const auto collected = runner->collect();
  const auto durations = DurationStore::load(project.state_dir / "durations.json");
  // Messages go to stderr: stdout is the list, for a pipe.
  const auto selection =
    select_tests(collected, setup.selection, durations, process_environment(),
                 [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); });
  for (const auto& test : selection.tests) {
    std::printf("%s\n", test.id.c_str());
  }
  const auto elapsed = std::chrono::duration_cast<Milliseconds>(
    std::chrono::steady_clock::now() - started);
  // pytest's wording (terminal.py, _build_collect_only_summary_stats_line).
  const auto selected = selection.tests.size();
  const auto deselected = collected.size() - selected;
  std::string line;
  if (selected == 0) {
    line = "no tests collected";
    line += deselected > 0 ? " (" + std::to_string(deselected) + " deselected)" : "";
  } else if (deselected == 0) {
    line = std::to_string(selected) + (selected == 1 ? " test collected" : " tests collected");
  } else {
    line = std::to_string(selected) + "/" + std::to_string(collected.size()) +
           " tests collected (" + std::to_string(deselected) + " deselected)";
  }
  std::printf("\n%s in %s\n", line.c_str(), format_seconds(elapsed).c_str());
  if (selection.empty_share()) {
    std::printf("%s\n", empty_share_message(*selection.shard, selection.before_shard,
                                            selection.fingerprint)
                          .c_str());
    return ExitCode::k_all_passed;
  }
  return selected == 0 ? ExitCode::k_no_tests_collected : ExitCode::k_all_passed;
}

}  // namespace orchestrate
