#pragma once

#include "scheduling/TestCase.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// Which part of a suite this CI machine runs (`--shard I/N`): machine `index` of `total`, 1-based.
// Not to be confused with the orchestrator's own shards (stacks) on one machine.
struct CiShard
{
  int index = 1;
  int total = 1;

  bool operator==(const CiShard&) const = default;
};

// Looks up an environment variable: its value, or nullopt when unset.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
EnvironmentLookup process_environment();

// Parses "I/N" (decimal, 1 <= I <= N). Throws UsageError saying what was expected otherwise.
CiShard parse_ci_shard(const std::string& text);

// The CI machine's shard from the variables CI services set for parallel jobs, tried in order:
// - CI_NODE_INDEX / CI_NODE_TOTAL: CI_NODE_INDEX counts from 0 (Knapsack's convention, which
//   users follow when they set it by hand), except under GitLab (GITLAB_CI set), whose
//   `parallel:` sets it counting from 1. GitLab sets CI_NODE_TOTAL=1 on every job that is not
//   parallel: a total of 1 without an index counts as unset.
// - CIRCLE_NODE_INDEX / CIRCLE_NODE_TOTAL (CircleCI): counts from 0.
// - BUILDKITE_PARALLEL_JOB / BUILDKITE_PARALLEL_JOB_COUNT (Buildkite `parallelism:`): from 0.
// - TEST_SHARD_INDEX / TEST_TOTAL_SHARDS (Bazel `shard_count`): from 0.
// Returns nullopt when no pair is set. Throws UsageError naming the variable when a value is
// not a number, the index is out of range, or only half of a pair is set.
std::optional<CiShard> ci_shard_from_environment(const EnvironmentLookup& lookup);

// The `--shard` option: "I/N", or "ci" for ci_shard_from_environment (a UsageError if the
// environment has no shard); nullopt (run everything) when the option is absent. The
// environment is read only on request: GitLab also sets CI_NODE_INDEX on `parallel:matrix` jobs,
// where sharding silently would run a fraction of each suite and pass.
std::optional<CiShard> resolve_ci_shard(const std::optional<std::string>& option,
                                        const EnvironmentLookup& lookup);

// Bazel runs a sharded test with TEST_SHARD_STATUS_FILE set and fails it unless the test touches
// that file, its sign that it understood the sharding variables. Touches (creates, or updates the
// time of) the file when the variable is set; returns whether it did. Throws UsageError naming
// the variable and the path when the file cannot be written.
bool touch_shard_status_file(const EnvironmentLookup& lookup);

// The tests CI machine `index` of `total` runs, in the order given. The tests are split by
// duration with plan_balanced_shards (longest first to the lightest machine) over the tests
// sorted by (expected duration descending, id ascending), so the split does not depend on the
// collection order, and the union over index = 1..total is every test exactly once. Every machine
// must see the same tests with the same expected durations (the same code and the same
// durations file), or machines disagree on the split: compare ci_shard_fingerprint across them.
// Throws UsageError unless 1 <= index <= total.
std::vector<TestCase> select_ci_shard(const std::vector<TestCase>& tests, int index, int total);

// A short hex digest of what the split depends on (the ids and expected durations, in any
// order): machines that print the same fingerprint agree on the split.
std::string ci_shard_fingerprint(const std::vector<TestCase>& tests);

}  // namespace orchestrate
