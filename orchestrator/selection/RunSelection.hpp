#pragma once

#include "selection/CiShard.hpp"
#include "selection/DurationStore.hpp"
#include "selection/TestSelectors.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// What narrows a collected suite, in the order it is applied.
struct SelectionRequest
{
  std::vector<TestSelector> selectors;   // positional ids and paths
  std::string keyword_expression;        // -k
  bool last_failed = false;              // --lf
  std::optional<std::string> ci_shard;   // --shard I/N or "ci"
};

struct Selection
{
  std::vector<TestCase> tests;  // what this machine runs, with expected durations
  int before_shard = 0;         // how many tests the selection kept before --shard took a share
  std::optional<CiShard> shard; // this machine's share, when --shard was given
  std::string fingerprint;      // of the split, when --shard was given (ci_shard_fingerprint)

  // True when --shard left nothing of a selection that was not empty: an empty share, not an
  // empty suite.
  bool empty_share() const
  {
    return shard && tests.empty() && before_shard > 0;
  }
};

// Applies the positional selectors, -k, --lf and --shard to the collected ids, in that order, and
// attaches each test's expected duration (recorded, else the average). `say` receives the lines a
// user should read (the --lf fallback, this machine's share and the plan's fingerprint unless the
// share is empty: then the caller says so, see empty_share()). With
// `--shard ci` it touches Bazel's TEST_SHARD_STATUS_FILE. Throws UsageError for a bad -k
// expression, a selector that selects nothing, or a bad --shard.
Selection select_tests(const std::vector<std::string>& collected, const SelectionRequest& request,
                       const DurationStore& durations, const EnvironmentLookup& environment,
                       const std::function<void(const std::string&)>& say);

}  // namespace orchestrate
