#include "reporting/TestResult.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

TestResult result_with(Outcome outcome, int attempts = 1, bool flaky = false)
{
  TestResult result;
  result.id = "t";
  result.outcome = outcome;
  result.attempts = attempts;
  result.flaky = flaky;
  return result;
}

TEST(CountOutcomesTest, CountsEachOutcomeInItsOwnField)
{
  const SummaryCounts counts = count_outcomes({
    result_with(Outcome::k_passed),
    result_with(Outcome::k_passed),
    result_with(Outcome::k_failed),
    result_with(Outcome::k_error),
    result_with(Outcome::k_error),
    result_with(Outcome::k_error),
    result_with(Outcome::k_skipped),
    result_with(Outcome::k_xfailed),
    result_with(Outcome::k_xpassed),
  });
  const SummaryCounts expected{
    .failed = 1, .passed = 2, .skipped = 1, .xfailed = 1, .xpassed = 1, .errors = 3};
  EXPECT_EQ(counts, expected);
}

TEST(CountOutcomesTest, CountsFlakyResultsAsPassedAndAsFlaky)
{
  const SummaryCounts counts = count_outcomes({
    result_with(Outcome::k_passed, 2, true),
    result_with(Outcome::k_passed),
  });
  EXPECT_EQ(counts, (SummaryCounts{.passed = 2, .flaky = 1, .reruns = 1}));
}

TEST(CountOutcomesTest, SumsRerunsAsAttemptsBeyondTheFirst)
{
  const SummaryCounts counts = count_outcomes({
    result_with(Outcome::k_passed, 3, true),
    result_with(Outcome::k_failed, 2),
    result_with(Outcome::k_passed, 1),
    result_with(Outcome::k_passed, 0),  // nonsense from a bad report: not a negative rerun
  });
  EXPECT_EQ(counts, (SummaryCounts{.failed = 1, .passed = 3, .flaky = 1, .reruns = 3}));
}

TEST(CountOutcomesTest, ReturnsZeroesForNoResults)
{
  EXPECT_EQ(count_outcomes({}), SummaryCounts{});
}

TEST(OutcomeNameTest, RoundTripsEveryOutcomeThroughItsPytestName)
{
  for (Outcome outcome : {Outcome::k_passed, Outcome::k_failed, Outcome::k_error,
                          Outcome::k_skipped, Outcome::k_xfailed, Outcome::k_xpassed}) {
    EXPECT_EQ(parse_outcome(outcome_name(outcome)), outcome) << outcome_name(outcome);
  }
  EXPECT_EQ(outcome_name(Outcome::k_error), "error");
  EXPECT_EQ(outcome_name(Outcome::k_xfailed), "xfailed");
}

TEST(OutcomeNameTest, RejectsUnknownNames)
{
  EXPECT_EQ(parse_outcome("errors"), std::nullopt);
  EXPECT_EQ(parse_outcome("PASSED"), std::nullopt);
  EXPECT_EQ(parse_outcome(""), std::nullopt);
}

}  // namespace
}  // namespace orchestrate
