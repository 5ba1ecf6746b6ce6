#include "scheduling/ShardPlan.hpp"
#include "scheduling/WorkQueue.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <random>
#include <set>

namespace orchestrate {
namespace {

Milliseconds makespan(const std::vector<TestBatch>& shards)
{
  Milliseconds longest(0);
  for (const auto& shard : shards) {
    longest = std::max(longest, expected_duration(shard));
  }
  return longest;
}

// The best possible makespan, by trying every assignment (small cases only).
Milliseconds brute_force_optimum(const std::vector<TestCase>& tests, int shards)
{
  std::vector<int> assignment(tests.size(), 0);
  Milliseconds best = Milliseconds::max();
  while (true) {
    std::vector<Milliseconds> load(static_cast<std::size_t>(shards), Milliseconds(0));
    for (std::size_t i = 0; i < tests.size(); ++i) {
      load[static_cast<std::size_t>(assignment[i])] += tests[i].expected;
    }
    best = std::min(best, *std::max_element(load.begin(), load.end()));
    std::size_t position = 0;
    while (position < assignment.size() && ++assignment[position] == shards) {
      assignment[position++] = 0;
    }
    if (position == assignment.size()) {
      return best;
    }
  }
}

TEST(ShardPlanTest, LptIsWithinFourThirdsOfTheBruteForceOptimumOnSmallCases)
{
  std::mt19937 random(42);
  std::uniform_int_distribution<int> duration(1, 2000);
  for (int round = 0; round < 200; ++round) {
    const int shards = 2 + round % 3;
    std::vector<TestCase> tests;
    for (int i = 0; i < 7; ++i) {
      tests.push_back({"t" + std::to_string(i), Milliseconds(duration(random))});
    }
    const auto plan = plan_balanced_shards(tests, shards);
    const auto optimum = brute_force_optimum(tests, shards);
    // Graham's bound for LPT: at most (4/3 - 1/(3m)) times the optimum.
    EXPECT_LE(makespan(plan).count() * 3, optimum.count() * 4) << "round " << round;
  }
}

TEST(ShardPlanTest, EveryTestLandsInExactlyOneShard)
{
  std::vector<TestCase> tests;
  for (int i = 0; i < 57; ++i) {
    tests.push_back({"t" + std::to_string(i), Milliseconds(i * 13 % 101)});
  }
  const auto plan = plan_balanced_shards(tests, 5);
  ASSERT_EQ(plan.size(), 5u);
  std::multiset<std::string> seen;
  for (const auto& shard : plan) {
    for (const auto& test : shard) {
      seen.insert(test.id);
    }
  }
  EXPECT_EQ(seen.size(), 57u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 57u);
}

TEST(ShardPlanTest, MoreShardsThanTestsLeavesSomeShardsEmpty)
{
  const auto plan = plan_balanced_shards({{"a", Milliseconds(5)}, {"b", Milliseconds(3)}}, 4);
  ASSERT_EQ(plan.size(), 4u);
  EXPECT_EQ(plan[0].size() + plan[1].size() + plan[2].size() + plan[3].size(), 2u);
}

TEST(ShardPlanTest, PlanIsDeterministic)
{
  std::vector<TestCase> tests;
  for (int i = 0; i < 30; ++i) {
    tests.push_back({"t" + std::to_string(i), Milliseconds(100)});  // all ties
  }
  const auto first = plan_balanced_shards(tests, 4);
  const auto second = plan_balanced_shards(tests, 4);
  for (std::size_t shard = 0; shard < 4; ++shard) {
    ASSERT_EQ(first[shard].size(), second[shard].size());
    for (std::size_t i = 0; i < first[shard].size(); ++i) {
      EXPECT_EQ(first[shard][i].id, second[shard][i].id);
    }
  }
}

TEST(WorkQueueTest, DynamicQueueHandsOutLongestFirstAndShrinksBatchesTowardsTheEnd)
{
  std::vector<TestCase> tests;
  for (int i = 0; i < 40; ++i) {
    tests.push_back({"t" + std::to_string(i), Milliseconds(i)});
  }
  auto queue = WorkQueue::make_dynamic(tests, 2, 50);
  auto first = queue.take(1);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->front().id, "t39");  // the longest test goes first
  // About a quarter (1 / (2 * 2 shards)) of the 780 ms of work, not a quarter of the tests.
  EXPECT_GE(expected_duration(*first), Milliseconds(195));
  EXPECT_LT(expected_duration(*first), Milliseconds(195 + 39));
  std::size_t total = first->size();
  Milliseconds last_time = expected_duration(*first);
  std::size_t last_size = first->size();
  while (auto batch = queue.take(2)) {
    EXPECT_LE(expected_duration(*batch), last_time + Milliseconds(39));
    last_time = expected_duration(*batch);
    last_size = batch->size();
    total += batch->size();
  }
  EXPECT_EQ(total, 40u);
  EXPECT_EQ(last_size, 1u);
}

TEST(WorkQueueTest, LongestTestsSpreadOverShardsInsteadOfPilingIntoOneBatch)
{
  // Three long tests and many short ones, 3 shards: the long ones must not share a batch.
  std::vector<TestCase> tests{{"long1", Milliseconds(2000)},
                              {"long2", Milliseconds(2000)},
                              {"long3", Milliseconds(2000)}};
  for (int i = 0; i < 30; ++i) {
    tests.push_back({"short" + std::to_string(i), Milliseconds(100)});
  }
  auto queue = WorkQueue::make_dynamic(tests, 3, 500);
  for (int shard = 1; shard <= 3; ++shard) {
    const auto batch = queue.take(shard);
    ASSERT_TRUE(batch.has_value());
    EXPECT_EQ(batch->front().id, "long" + std::to_string(shard));
    EXPECT_EQ(batch->size(), 1u);
  }
}

TEST(WorkQueueTest, DynamicBatchesCarryAtLeastTheMinimumBatchTime)
{
  std::vector<TestCase> tests;
  for (int i = 0; i < 100; ++i) {
    tests.push_back({"t" + std::to_string(i), Milliseconds(100)});
  }
  // 100 ms tests, 5 shards: the guided share alone would start with batches of 10 (1 s).
  auto queue = WorkQueue::make_dynamic(tests, 5, 500, Milliseconds(2000));
  std::size_t total = 0;
  int batches = 0;
  while (auto batch = queue.take(1)) {
    total += batch->size();
    ++batches;
    if (total < 100) {
      EXPECT_GE(expected_duration(*batch), Milliseconds(2000));
    }
  }
  EXPECT_EQ(total, 100u);
  EXPECT_EQ(batches, 5);
}

TEST(WorkQueueTest, MinimumBatchTimeNeverStarvesAShard)
{
  std::vector<TestCase> tests;
  for (int i = 0; i < 40; ++i) {
    tests.push_back({"t" + std::to_string(i), Milliseconds(100)});
  }
  // 4 s of work in all, 10 shards, a 4 s minimum: each shard must still get a batch.
  auto queue = WorkQueue::make_dynamic(tests, 10, 500, Milliseconds(4000));
  int batches = 0;
  for (int shard = 1; shard <= 10; ++shard) {
    batches += queue.take(shard).has_value() ? 1 : 0;
  }
  EXPECT_EQ(batches, 10);
}

TEST(WorkQueueTest, StopReturnsWhatWasNeverHandedOut)
{
  auto queue = WorkQueue::make_dynamic({{"a", Milliseconds(3)}, {"b", Milliseconds(2)},
                                        {"c", Milliseconds(1)}}, 3, 1);
  ASSERT_TRUE(queue.take(1).has_value());
  const auto left = queue.stop();
  EXPECT_EQ(left.size(), 2u);
  EXPECT_FALSE(queue.take(2).has_value());
}

}  // namespace
}  // namespace orchestrate
