#include "reporting/TestResult.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace orchestrate {

namespace {

constexpr std::array<std::pair<Outcome, std::string_view>, 6> k_outcome_names{{
  {Outcome::k_passed, "passed"},
  {Outcome::k_failed, "failed"},
  {Outcome::k_error, "error"},
  {Outcome::k_skipped, "skipped"},
  {Outcome::k_xfailed, "xfailed"},
  {Outcome::k_xpassed, "xpassed"},
}};

}  // namespace

SummaryCounts count_outcomes(const std::vector<TestResult>& results)
{
  SummaryCounts counts;
  for (const TestResult& result : results) {
    counts.reruns += std::max(result.attempts, 1) - 1;
    if (result.flaky) {
      // It passed in the end; `flaky` says it needed more than one try.
      ++counts.passed;
      ++counts.flaky;
      continue;
    }
    switch (result.outcome) {
      case Outcome::k_passed:
        ++counts.passed;
        break;
      case Outcome::k_failed:
        ++counts.failed;
        break;
      case Outcome::k_error:
        ++counts.errors;
        break;
      case Outcome::k_skipped:
        ++counts.skipped;
        break;
      case Outcome::k_xfailed:
        ++counts.xfailed;
        break;
      case Outcome::k_xpassed:
        ++counts.xpassed;
        break;
    }
  }
  return counts;
}

std::string_view outcome_name(Outcome outcome)
{
  for (const auto& [value, name] : k_outcome_names) {
    if (value == outcome) {
      return name;
    }
  }
  return "unknown";
}

std::optional<Outcome> parse_outcome(std::string_view name)
{
  for (const auto& [value, text] : k_outcome_names) {
    if (text == name) {
      return value;
    }
  }
  return std::nullopt;
}

TestResult not_run_result(const std::string& id, const std::string& reason)
{
  TestResult result;
  result.id = id;
  result.name = id;
  result.outcome = Outcome::k_error;
  result.message = "not run: " + reason.substr(0, reason.find('\n'));
  result.details = "not run: " + reason;
  return result;
}

}  // namespace orchestrate
