#include "selection/RunSelection.hpp"

#include "selection/KeywordExpression.hpp"

namespace orchestrate {

Selection select_tests(const std::vector<std::string>& collected, const SelectionRequest& request,
                       const DurationStore& durations, const EnvironmentLookup& environment,
                       const std::function<void(const std::string&)>& say)
{
  const auto keyword = KeywordExpression::parse(request.keyword_expression);
  std::vector<std::string> selected;
  for (const auto& id : apply_test_selectors(collected, request.selectors)) {
    if (keyword.matches(id)) {
      selected.push_back(id);
    }
  }
  if (request.last_failed) {
    auto failed = durations.last_failed(selected);
    if (failed.empty()) {
      say("--lf: no test failed last time; running all selected tests");
    } else {
      selected = std::move(failed);
    }
  }
  Selection selection;
  selection.tests = durations.test_cases(selected);
  selection.before_shard = static_cast<int>(selection.tests.size());
  selection.shard = resolve_ci_shard(request.ci_shard, environment);
  if (selection.shard) {
    const auto all = selection.tests;
    selection.tests = select_ci_shard(all, selection.shard->index, selection.shard->total);
    selection.fingerprint = ci_shard_fingerprint(all);
    if (!selection.empty_share()) {
      say("--shard " + std::to_string(selection.shard->index) + "/" +
          std::to_string(selection.shard->total) + ": " + std::to_string(selection.tests.size()) +
          " tests (plan fingerprint " + selection.fingerprint + ")");
    }
    if (request.ci_shard == "ci") {
      touch_shard_status_file(environment);
    }
  }
  return selection;
}

}  // namespace orchestrate
