#include "reporting/MergeReports.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

namespace orchestrate {

namespace {

bool failed_at_least_once(const TestResult& result)
{
  return result.flaky || result.outcome == Outcome::k_failed || result.outcome == Outcome::k_error;
}

}  // namespace

std::vector<TestResult> merge_results(std::vector<std::vector<TestResult>> reports)
{
  std::vector<TestResult> merged;
  std::unordered_map<std::string, std::size_t> index_by_id;
  for (std::vector<TestResult>& report : reports) {
    for (TestResult& result : report) {
      const auto [found, inserted] = index_by_id.emplace(result.id, merged.size());
      if (inserted) {
        merged.push_back(std::move(result));
        continue;
      }
      TestResult& earlier = merged[found->second];
      const bool failed_before = failed_at_least_once(earlier);
      const int attempts = std::max(earlier.attempts, 1) + std::max(result.attempts, 1);
      earlier = std::move(result);
      earlier.attempts = attempts;
      earlier.flaky = earlier.flaky || (failed_before && earlier.outcome == Outcome::k_passed);
    }
  }
  return merged;
}

}  // namespace orchestrate
