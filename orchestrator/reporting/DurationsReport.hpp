#pragma once

#include "reporting/JsonReport.hpp"
#include "reporting/TestResult.hpp"

#include <string>
#include <vector>

namespace orchestrate {

// `--durations N`, as pytest prints it: a `slowest N durations` heading, then the N slowest tests
// (all when N is 0), slowest first, `1.23s <test id>`; then where each shard's time went: stack
// up, readiness, tests and teardown. Results without a duration are left out; empty when there
// is nothing to show.
std::string format_durations_report(const std::vector<TestResult>& results,
                                    const std::vector<ShardTiming>& shards, int count,
                                    int width = 80);

}  // namespace orchestrate
