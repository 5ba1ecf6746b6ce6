#include "selection/RepeatPlan.hpp"

#include "core/Error.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

TestResult run_of(const std::string& id, Outcome outcome, const std::string& message = "")
{
  TestResult result;
  result.id = id;
  result.outcome = outcome;
  result.message = message;
  return result;
}

TEST(RepeatPlanTest, ParsesCountAndUntilModes)
{
  const auto count = parse_repeat_plan("5");
  EXPECT_EQ(count.mode, RepeatPlan::Mode::k_count);
  EXPECT_EQ(count.runs, 5);
  EXPECT_EQ(parse_repeat_plan("until-fail:20").mode, RepeatPlan::Mode::k_until_fail);
  EXPECT_EQ(parse_repeat_plan("until-fail:20").runs, 20);
  EXPECT_EQ(parse_repeat_plan("until-pass:3").mode, RepeatPlan::Mode::k_until_pass);
}

TEST(RepeatPlanTest, RejectsWhatIsNotACountOfAtLeastOne)
{
  for (const char* text : {"0", "-1", "x", "until-fail:", "until-fail:0", "until:3", "3x", ""}) {
    EXPECT_THROW(parse_repeat_plan(text), UsageError) << text;
  }
}

TEST(RepeatPlanTest, CountRunsEveryTestNTimesWhateverItsOutcomes)
{
  const auto plan = parse_repeat_plan("3");
  EXPECT_TRUE(plan.wants_another_run({}));
  EXPECT_TRUE(plan.wants_another_run({Outcome::k_failed}));
  EXPECT_TRUE(plan.wants_another_run({Outcome::k_failed, Outcome::k_passed}));
  EXPECT_FALSE(plan.wants_another_run({Outcome::k_passed, Outcome::k_passed, Outcome::k_passed}));
}

TEST(RepeatPlanTest, UntilFailStopsAtTheFirstFailureOrError)
{
  const auto plan = parse_repeat_plan("until-fail:4");
  EXPECT_TRUE(plan.wants_another_run({Outcome::k_passed, Outcome::k_passed}));
  EXPECT_FALSE(plan.wants_another_run({Outcome::k_passed, Outcome::k_failed}));
  EXPECT_FALSE(plan.wants_another_run({Outcome::k_error}));
  EXPECT_FALSE(plan.wants_another_run(std::vector<Outcome>(4, Outcome::k_passed)));
}

TEST(RepeatPlanTest, UntilPassStopsAtTheFirstPass)
{
  const auto plan = parse_repeat_plan("until-pass:4");
  EXPECT_TRUE(plan.wants_another_run({Outcome::k_failed}));
  EXPECT_FALSE(plan.wants_another_run({Outcome::k_failed, Outcome::k_passed}));
  EXPECT_FALSE(plan.wants_another_run(std::vector<Outcome>(4, Outcome::k_failed)));
}

TEST(RepeatPlanTest, CountAndUntilFailReportTheFirstFailedRun)
{
  for (const char* text : {"3", "until-fail:3"}) {
    const auto combined = parse_repeat_plan(text).combine(
      {run_of("t", Outcome::k_passed), run_of("t", Outcome::k_failed, "first"),
       run_of("t", Outcome::k_failed, "second")});
    EXPECT_EQ(combined.outcome, Outcome::k_failed) << text;
    EXPECT_EQ(combined.message, "first") << text;
    EXPECT_EQ(combined.attempts, 3) << text;
    EXPECT_FALSE(combined.flaky) << text;
  }
  const auto passing = parse_repeat_plan("2").combine(
    {run_of("t", Outcome::k_passed), run_of("t", Outcome::k_passed)});
  EXPECT_EQ(passing.outcome, Outcome::k_passed);
  EXPECT_EQ(passing.attempts, 2);
}

TEST(RepeatPlanTest, UntilPassReportsThePassAsFlakyAfterFailures)
{
  const auto plan = parse_repeat_plan("until-pass:5");
  const auto flaky =
    plan.combine({run_of("t", Outcome::k_failed), run_of("t", Outcome::k_passed)});
  EXPECT_EQ(flaky.outcome, Outcome::k_passed);
  EXPECT_TRUE(flaky.flaky);
  EXPECT_EQ(flaky.attempts, 2);
  const auto steady = plan.combine({run_of("t", Outcome::k_passed)});
  EXPECT_FALSE(steady.flaky);
  const auto never = plan.combine({run_of("t", Outcome::k_failed), run_of("t", Outcome::k_error)});
  EXPECT_EQ(never.outcome, Outcome::k_error);
}

TEST(RepeatPlanTest, SummaryListsTestsWithFailuresFirstAndCountsTheRest)
{
  RepeatTally tally;
  for (int i = 0; i < 3; ++i) {
    tally.record(run_of("steady", Outcome::k_passed));
  }
  tally.record(run_of("flaky", Outcome::k_passed));
  tally.record(run_of("flaky", Outcome::k_failed));
  tally.record(run_of("flaky", Outcome::k_passed));
  tally.record(run_of("broken", Outcome::k_failed));
  tally.record(run_of("broken", Outcome::k_error));
  const auto text = format_repeat_summary(parse_repeat_plan("3"), tally.counts(), false);
  EXPECT_EQ(text, "repeat 3: passed/failed runs per test\n"
                  "  broken: passed 0, failed 2 of 2 runs\n"
                  "  flaky: passed 2, failed 1 of 3 runs  FLAKY\n"
                  "  1 other test never failed\n");
  const auto verbose = format_repeat_summary(parse_repeat_plan("until-fail:3"), tally.counts(), true);
  EXPECT_NE(verbose.find("repeat until-fail:3"), std::string::npos);
  EXPECT_NE(verbose.find("  steady: passed 3, failed 0 of 3 runs\n"), std::string::npos);
}

}  // namespace
}  // namespace orchestrate
