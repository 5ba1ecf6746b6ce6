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

TEST(WorkQueueTest, DynamicQueueHandsOutTheLongestTestFirstToWhicheverShardAsks)
{
  std::vector<TestCase> tests;
  for (int i = 0; i < 40; ++i) {
    tests.push_back({"t" + std::to_string(i), Milliseconds(i)});
  }
  auto queue = WorkQueue::make_dynamic(tests, 2);
  std::vector<std::string> order;
  for (int take = 0; auto test = queue.take_one(take % 2 + 1); ++take) {
    order.push_back(test->id);
  }
  ASSERT_EQ(order.size(), 40u);
  for (std::size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(order[i], "t" + std::to_string(39 - i));
  }
}

TEST(WorkQueueTest, HoldsMoreThanTheShardsOnlyWhileTheQueueCanSpareTests)
{
  auto queue = WorkQueue::make_dynamic({{"a", Milliseconds(3)}, {"b", Milliseconds(2)},
                                        {"c", Milliseconds(1)}}, 2);
  EXPECT_TRUE(queue.holds_more_than(2, 1));
  ASSERT_TRUE(queue.take_one(1).has_value());
  EXPECT_FALSE(queue.holds_more_than(2, 1)) << "two left for two shards: none to spare";
}

TEST(WorkQueueTest, StopReturnsWhatWasNeverHandedOut)
{
  auto queue = WorkQueue::make_dynamic({{"a", Milliseconds(3)}, {"b", Milliseconds(2)},
                                        {"c", Milliseconds(1)}}, 3);
  ASSERT_TRUE(queue.take_one(1).has_value());
  const auto left = queue.stop();
  EXPECT_EQ(left.size(), 2u);
  EXPECT_FALSE(queue.take_one(2).has_value());
}

}  // namespace
}  // namespace orchestrate
