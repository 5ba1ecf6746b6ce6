#include "run/RepeatingShardFactory.hpp"

#include "scheduling/Scheduler.hpp"
#include "unit/scheduling/FakeShards.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

using testing::FakeShardFactory;
using testing::make_tests;

const TestResult* result_of(const ScheduleResult& scheduled, const std::string& id)
{
  for (const auto& result : scheduled.results) {
    if (result.id == id) {
      return &result;
    }
  }
  return nullptr;
}

ScheduleResult run_repeated(FakeShardFactory& fake, const std::string& repeat, RepeatTally& tally,
                            int tests, int shards = 2)
{
  RepeatingShardFactory repeating(fake, parse_repeat_plan(repeat), tally);
  auto queue = WorkQueue::make_dynamic(make_tests(tests), shards);
  return run_shards(queue, repeating, SchedulerOptions{shards, 0, 0});
}

TEST(RepeatingShardFactoryTest, CountRunsEveryTestNTimesInTheShardThatTookIt)
{
  FakeShardFactory fake;
  RepeatTally tally;
  const auto scheduled = run_repeated(fake, "3", tally, 4);
  ASSERT_EQ(scheduled.results.size(), 4u);
  for (const auto& result : scheduled.results) {
    EXPECT_EQ(result.outcome, Outcome::k_passed);
    EXPECT_EQ(result.attempts, 3);
    EXPECT_EQ(fake.log.attempts[result.id], 3);
    EXPECT_EQ(tally.counts()[result.id].passed, 3);
  }
  // The repeats stay with the shard that took the test.
  for (const auto& [shard, ids] : fake.log.tests_by_shard) {
    for (const auto& id : ids) {
      EXPECT_EQ(result_of(scheduled, id)->shard, shard) << id;
    }
  }
}

TEST(RepeatingShardFactoryTest, UntilFailStopsATestAtItsFirstFailureAndReportsIt)
{
  // test_1 fails on its third run; the others never fail.
  FakeShardFactory fake([](const std::string& id, int attempt) {
    return id == "test_1" && attempt == 3 ? Outcome::k_failed : Outcome::k_passed;
  });
  RepeatTally tally;
  const auto scheduled = run_repeated(fake, "until-fail:10", tally, 3);
  EXPECT_EQ(fake.log.attempts["test_1"], 3);
  EXPECT_EQ(result_of(scheduled, "test_1")->outcome, Outcome::k_failed);
  EXPECT_EQ(result_of(scheduled, "test_1")->attempts, 3);
  EXPECT_EQ(fake.log.attempts["test_0"], 10);
  EXPECT_EQ(result_of(scheduled, "test_0")->outcome, Outcome::k_passed);
  EXPECT_EQ(tally.counts()["test_1"].failed, 1);
  EXPECT_EQ(tally.counts()["test_1"].passed, 2);
}

TEST(RepeatingShardFactoryTest, UntilPassStopsAtTheFirstPassAndMarksItFlaky)
{
  FakeShardFactory fake([](const std::string& id, int attempt) {
    return id == "test_0" && attempt < 3 ? Outcome::k_failed : Outcome::k_passed;
  });
  RepeatTally tally;
  const auto scheduled = run_repeated(fake, "until-pass:5", tally, 2, 1);
  EXPECT_EQ(fake.log.attempts["test_0"], 3);
  EXPECT_TRUE(result_of(scheduled, "test_0")->flaky);
  EXPECT_EQ(result_of(scheduled, "test_0")->outcome, Outcome::k_passed);
  EXPECT_EQ(fake.log.attempts["test_1"], 1);
  EXPECT_FALSE(result_of(scheduled, "test_1")->flaky);
}

TEST(RepeatingShardFactoryTest, ExpectedDurationsScaleWithTheRuns)
{
  auto tests = make_tests(2, Milliseconds(100));
  expect_repeats(tests, parse_repeat_plan("until-fail:7"));
  EXPECT_EQ(tests[0].expected, Milliseconds(700));
}

}  // namespace
}  // namespace orchestrate
