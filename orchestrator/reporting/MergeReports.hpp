#pragma once

#include "reporting/TestResult.hpp"

#include <vector>

namespace orchestrate {

// Merges the results of several reports (`orchestrate merge`: the JUnit or JSON files of several
// CI machines or runs), in the order given, which is taken as the order the attempts happened.
// Results are concatenated; a test id seen again is one result: the last attempt's result (its
// outcome, duration, shard, message), at the place the id first appeared, with the attempts of
// all its appearances summed, so a rerun on another machine shows. It is marked flaky when the
// last attempt passed after an earlier one failed or errored.
std::vector<TestResult> merge_results(std::vector<std::vector<TestResult>> reports);

}  // namespace orchestrate
