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

TEST(WorkQueueTest, ATestHeldBehindLongWorkIsTheShortestLeftSoTheLongOnesGoToFreeShards)
{
  // The integration suite's head: a 2 s test, two of 1.1 s, then short ones. A shard that runs the
  // 2 s test must hold one more; a 1.1 s test held there would wait 2 s while another shard could
  // run it.
  auto queue = WorkQueue::make_dynamic({{"slow", Milliseconds(2090)}, {"ttl", Milliseconds(1110)},
                                        {"pop", Milliseconds(1100)}, {"sleep", Milliseconds(580)},
                                        {"get", Milliseconds(3)}, {"set", Milliseconds(2)}},
                                       2);
  EXPECT_EQ(queue.take_one(1)->id, "slow");
  EXPECT_EQ(queue.take_one(1, Milliseconds(2090))->id, "set");
  EXPECT_EQ(queue.take_one(2)->id, "ttl");
  EXPECT_EQ(queue.take_one(2, Milliseconds(1110))->id, "get");
  // Little work ahead: the longest, as for an idle shard.
  EXPECT_EQ(queue.take_one(2, WorkQueue::k_work_ahead_for_shortest - Milliseconds(1))->id, "pop");
  EXPECT_EQ(queue.take_one(1, Milliseconds(5000))->id, "sleep") << "the last one";
  EXPECT_FALSE(queue.take_one(1, Milliseconds(5000)).has_value());
}

TEST(WorkQueueTest, WhilePlentyIsLeftTheLongestIsHeldAndTheShortStayForTheEnd)
{
  // Sixteen 1 s tests and four short ones for two shards: 8 s each. Holding a 1 s test behind a
  // 1 s one is no harm; taking the short ones now would leave the 1 s tests for the end.
  std::vector<TestCase> tests;
  for (int i = 0; i < 16; ++i) {
    tests.push_back({"long" + std::to_string(i), Milliseconds(1000)});
  }
  for (int i = 0; i < 4; ++i) {
    tests.push_back({"short" + std::to_string(i), Milliseconds(10)});
  }
  auto queue = WorkQueue::make_dynamic(tests, 2);
  EXPECT_EQ(queue.take_one(1)->id, "long0");
  EXPECT_EQ(queue.take_one(1, Milliseconds(1000))->id, "long1");
  // At the end: 1.04 s left, 0.52 s a shard; a 1 s test behind 1 s of work is too much.
  for (int i = 2; i < 15; ++i) {
    ASSERT_EQ(queue.take_one(i % 2 + 1)->id, "long" + std::to_string(i));
  }
  EXPECT_EQ(queue.take_one(2, Milliseconds(1000))->id, "short3");
  EXPECT_EQ(queue.take_one(1)->id, "long15");
}

TEST(WorkQueueTest, TestsOfEqualExpectedTimeStayInOrderWhateverTheWorkAhead)
{
  // Without durations every test is expected to take the same: the collection order (module by
  // module, so their module fixtures are set up once) is kept.
  auto queue = WorkQueue::make_dynamic({{"m1::a", Milliseconds(100)}, {"m1::b", Milliseconds(100)},
                                        {"m2::a", Milliseconds(100)}}, 2);
  EXPECT_EQ(queue.take_one(1, Milliseconds(5000))->id, "m1::a");
  EXPECT_EQ(queue.take_one(1, Milliseconds(5000))->id, "m1::b");
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
