#pragma once

#include "scheduling/TestCase.hpp"

#include <vector>

namespace orchestrate {

// Splits tests into `shard_count` shards whose expected durations are balanced, by the
// longest-processing-time-first rule: longest test first, each to the currently lightest shard
// (ties: the lower shard index, so the plan is deterministic). Within a shard, tests keep
// collection order. Returns exactly `shard_count` lists (some may be empty when there are fewer
// tests than shards).
std::vector<TestBatch> plan_balanced_shards(const std::vector<TestCase>& tests, int shard_count);

// The sum of expected durations of a batch.
Milliseconds expected_duration(const TestBatch& batch);

}  // namespace orchestrate
