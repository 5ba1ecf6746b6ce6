#include "reporting/MergeReports.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

TestResult result(const std::string& id, Outcome outcome, int shard, int attempts = 1)
{
  TestResult made;
  made.id = id;
  made.outcome = outcome;
  made.shard = shard;
  made.attempts = attempts;
  made.message = id + " on shard " + std::to_string(shard);
  return made;
}

TEST(MergeResultsTest, ConcatenatesReportsWithDistinctIdsInOrder)
{
  const auto merged = merge_results({
    {result("a", Outcome::k_passed, 1), result("b", Outcome::k_failed, 1)},
    {result("c", Outcome::k_skipped, 2)},
  });
  ASSERT_EQ(merged.size(), 3u);
  EXPECT_EQ(merged[0].id, "a");
  EXPECT_EQ(merged[1].id, "b");
  EXPECT_EQ(merged[1].outcome, Outcome::k_failed);
  EXPECT_EQ(merged[2].id, "c");
  EXPECT_EQ(merged[2].attempts, 1);
}

TEST(MergeResultsTest, KeepsTheLastAttemptOfARepeatedIdWithAttemptsSummed)
{
  TestResult last = result("a", Outcome::k_failed, 3, 2);
  last.duration = Milliseconds{42};
  const auto merged = merge_results({
    {result("a", Outcome::k_failed, 1), result("b", Outcome::k_passed, 1)},
    {last},
  });
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].id, "a");
  EXPECT_EQ(merged[0].shard, 3);
  EXPECT_EQ(merged[0].attempts, 3);
  EXPECT_EQ(merged[0].duration, Milliseconds{42});
  EXPECT_EQ(merged[0].message, "a on shard 3");
  EXPECT_FALSE(merged[0].flaky);
  EXPECT_EQ(merged[1].id, "b");
}

TEST(MergeResultsTest, MarksATestThatFailedOnOneMachineAndPassedOnAnotherAsFlaky)
{
  const auto merged = merge_results({
    {result("a", Outcome::k_failed, 1)},
    {result("a", Outcome::k_passed, 2)},
    {result("b", Outcome::k_passed, 1)},
    {result("b", Outcome::k_passed, 2)},
  });
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].outcome, Outcome::k_passed);
  EXPECT_TRUE(merged[0].flaky);
  EXPECT_EQ(merged[0].attempts, 2);
  EXPECT_FALSE(merged[1].flaky);
  EXPECT_EQ(merged[1].attempts, 2);
}

TEST(MergeResultsTest, DoesNotCallAFinalFailureFlaky)
{
  TestResult earlier_flaky = result("a", Outcome::k_passed, 1, 2);
  earlier_flaky.flaky = true;
  const auto merged = merge_results({{earlier_flaky}, {result("a", Outcome::k_failed, 2)}});
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].outcome, Outcome::k_failed);
  EXPECT_FALSE(merged[0].flaky);
  EXPECT_EQ(merged[0].attempts, 3);
}

TEST(MergeResultsTest, ReturnsNothingForNoReports)
{
  EXPECT_TRUE(merge_results({}).empty());
  EXPECT_TRUE(merge_results({{}, {}}).empty());
}

}  // namespace
}  // namespace orchestrate
