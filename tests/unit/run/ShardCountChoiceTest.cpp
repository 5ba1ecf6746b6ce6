#include "run/ShardCountChoice.hpp"

#include "resources/StackAdmission.hpp"
#include "selection/DurationStore.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

constexpr std::uint64_t k_mib = 1ull << 20;

// The spread suite of issue 10 on the 2-core machine: 58 tests, about 23 s of recorded work, the
// longest 1.2 s, a Postgres + Redis stack of 384 MiB that takes 1.9 s to be ready.
ShardCountInputs spread_suite()
{
  ShardCountInputs inputs;
  inputs.cores = 2;
  inputs.tests = 58;
  inputs.work = Milliseconds{23'000};
  inputs.longest = Milliseconds{1'200};
  inputs.timed_tests = 58;
  inputs.uses_stacks = true;
  inputs.recorded_stack_start = Milliseconds{1'900};
  inputs.memory_budget_bytes = 4096 * k_mib;
  inputs.stack_cost_bytes = 384 * k_mib;
  return inputs;
}

TEST(ShardCountChoiceTest, SpreadsASuiteOfWaitingTestsOverMoreShardsThanCores)
{
  EXPECT_EQ(choose_shard_count(spread_suite()).shards, 4);
}

TEST(ShardCountChoiceTest, SaysWhatItChoseAndWhyInOneLine)
{
  const auto choice = choose_shard_count(spread_suite());

  EXPECT_EQ(choice.explanation,
            "--parallel auto: 4 shards, estimated ~9.6 s (2 cores, budget 4.0 GiB holds 10 stacks "
            "of 384 MiB, 58 tests of ~23 s recorded work, stack start ~1.9 s)");
  EXPECT_EQ(choice.explanation.find('\n'), std::string::npos);
}

TEST(ShardCountChoiceTest, TakesFewShardsWhenTheStackStartOutweighsTheWork)
{
  // The integration suite: 74 quick tests, about 5 s in all.
  auto inputs = spread_suite();
  inputs.tests = 74;
  inputs.timed_tests = 74;
  inputs.work = Milliseconds{5'000};
  inputs.longest = Milliseconds{300};

  EXPECT_EQ(choose_shard_count(inputs).shards, 2);
}

TEST(ShardCountChoiceTest, RunsInstantTestsOnOneShard)
{
  auto inputs = spread_suite();
  inputs.tests = 5;
  inputs.work = Milliseconds{0};
  inputs.longest = Milliseconds{0};

  EXPECT_EQ(choose_shard_count(inputs).shards, 1);
}

TEST(ShardCountChoiceTest, TakesMoreShardsOnMoreCores)
{
  auto inputs = spread_suite();
  inputs.cores = 8;

  EXPECT_GT(choose_shard_count(inputs).shards, choose_shard_count(spread_suite()).shards);
}

TEST(ShardCountChoiceTest, NeverTakesMoreShardsThanTests)
{
  auto inputs = spread_suite();
  inputs.cores = 64;
  inputs.tests = 3;
  inputs.timed_tests = 3;
  inputs.work = Milliseconds{30'000};
  inputs.longest = Milliseconds{10'000};

  EXPECT_EQ(choose_shard_count(inputs).shards, 3);
}

TEST(ShardCountChoiceTest, NeverTakesMoreShardsThanTheBudgetHoldsStacks)
{
  auto inputs = spread_suite();
  inputs.cores = 64;
  inputs.work = Milliseconds{600'000};
  inputs.memory_budget_bytes = 1024 * k_mib;
  inputs.stack_cost_bytes = 384 * k_mib;

  const auto choice = choose_shard_count(inputs);

  EXPECT_EQ(choice.shards, 2);
  EXPECT_NE(choice.explanation.find("budget 1.0 GiB holds 2 stacks of 384 MiB"), std::string::npos)
    << choice.explanation;
}

TEST(ShardCountChoiceTest, NeverTakesMoreShardsThanCoresWithoutStacks)
{
  ShardCountInputs inputs;
  inputs.cores = 2;
  inputs.tests = 10'000;
  inputs.timed_tests = 10'000;
  inputs.work = Milliseconds{60'000};

  const auto choice = choose_shard_count(inputs);

  EXPECT_EQ(choice.shards, 2);
  EXPECT_NE(choice.explanation.find("no stacks: at most one shard per core"), std::string::npos)
    << choice.explanation;
}

TEST(ShardCountChoiceTest, CountsTheRunnersWorkOnTestsThatRecordNoTime)
{
  // 10,000 trivial tests record 0 ms each, yet pytest spends about a millisecond on each.
  ShardCountInputs inputs;
  inputs.cores = 2;
  inputs.tests = 10'000;
  inputs.timed_tests = 10'000;

  EXPECT_EQ(choose_shard_count(inputs).shards, 2);
}

TEST(ShardCountChoiceTest, NeedsNoMoreShardsThanTheLongestTestAllows)
{
  // One test of 10 s and nine of 0.1 s: beyond 2 shards the long test alone sets the end.
  auto inputs = spread_suite();
  inputs.cores = 16;
  inputs.tests = 10;
  inputs.timed_tests = 10;
  inputs.work = Milliseconds{10'900};
  inputs.longest = Milliseconds{10'000};

  EXPECT_EQ(choose_shard_count(inputs).shards, 2);
}

TEST(ShardCountChoiceTest, SaysWhatItAssumedWhenNothingIsRecorded)
{
  auto inputs = spread_suite();
  inputs.timed_tests = 0;
  inputs.recorded_stack_start.reset();
  inputs.stack_cost_bytes = 0;

  const auto explanation = choose_shard_count(inputs).explanation;

  EXPECT_NE(explanation.find("estimated work (no durations recorded yet)"), std::string::npos)
    << explanation;
  EXPECT_NE(explanation.find("stack start ~2.0 s assumed (none recorded yet)"), std::string::npos)
    << explanation;
  EXPECT_NE(explanation.find("no memory limits on the stack"), std::string::npos) << explanation;
}

TEST(ShardCountChoiceTest, TakesAtLeastOneShardOnNoCores)
{
  ShardCountInputs inputs;
  inputs.cores = 0;
  inputs.tests = 1;

  EXPECT_EQ(choose_shard_count(inputs).shards, 1);
}

TEST(ShardCountChoiceTest, UsableCoresIsAtLeastOne)
{
  EXPECT_GE(usable_cores(), 1);
}

TEST(ShardCountChoiceTest, GathersRecordedDurationsStackStartAndBudgetForARun)
{
  DurationStore durations;
  TestResult timed;
  timed.id = "t::timed";
  timed.duration = Milliseconds{2'000};
  durations.record({timed});
  ShardTiming shard;
  shard.shard = 1;
  shard.stack_up = Milliseconds{700};
  shard.ready = Milliseconds{1'500};
  durations.record_stack_time("spread", shard);
  const StackAdmission admission(1024 * k_mib, 256 * k_mib, k_auto_shard_limit);

  const auto inputs = shard_count_inputs(durations.test_cases({"t::timed", "t::new"}), durations,
                                         "spread", &admission);

  EXPECT_EQ(inputs.tests, 2);
  EXPECT_EQ(inputs.timed_tests, 1);
  EXPECT_EQ(inputs.work, Milliseconds{4'000});  // the new test is expected to take the average
  EXPECT_EQ(inputs.longest, Milliseconds{2'000});
  EXPECT_TRUE(inputs.uses_stacks);
  EXPECT_EQ(inputs.recorded_stack_start, Milliseconds{1'500});
  EXPECT_EQ(inputs.memory_budget_bytes, 1024 * k_mib);
  EXPECT_EQ(inputs.stack_cost_bytes, 256 * k_mib);
  EXPECT_GE(inputs.cores, 1);
}

TEST(ShardCountChoiceTest, GathersNoStackFactsForASuiteWithoutStacks)
{
  DurationStore durations;
  ShardTiming shard;
  shard.shard = 1;
  shard.ready = Milliseconds{1'500};
  durations.record_stack_time("unit", shard);

  const auto inputs = shard_count_inputs(durations.test_cases({"t::a"}), durations, "unit",
                                         nullptr);

  EXPECT_FALSE(inputs.uses_stacks);
  EXPECT_FALSE(inputs.recorded_stack_start);
  EXPECT_EQ(inputs.timed_tests, 0);
}

}  // namespace
}  // namespace orchestrate
