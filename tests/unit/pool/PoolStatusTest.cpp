#include "pool/PoolStatus.hpp"
#include "run/RunPool.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr long long k_now = 1'700'000'000;

PoolStack warm_stack(const std::string& name, long long created, long long deadline,
                     const std::string& claimed_by, bool clean = false,
                     const std::string& worker = "")
{
  PoolStack stack;
  stack.stack = name;
  stack.containers = 2;
  PoolRecord record;
  record.stack = name;
  record.created = created;
  record.key.digest = "0123456789abcdef";
  record.deadline = deadline;
  record.clean = clean;
  stack.record = record;
  stack.claimed_by = claimed_by;
  stack.worker = worker;
  return stack;
}

TEST(PoolStatusTest, ListsKeyAgeDeadlineResetWorkerAndClaimOfEachStack)
{
  const auto text = format_pool_status(
    {warm_stack("shop-test-r1-s1", k_now - 600, k_now + 840, "", true, "ready"),
     warm_stack("shop-test-r1-s2", k_now - 7200, k_now - 30, "pid 42 on box since T")},
    "test", system_clock::time_point(seconds(k_now)));
  EXPECT_EQ(text,
            "STACK            KEY               AGE  DEADLINE        CLEAN  WORKER  CLAIMED BY\n"
            "shop-test-r1-s1  0123456789abcdef  10m  in 14m          yes    ready   -\n"
            "shop-test-r1-s2  0123456789abcdef  2h   passed 30s ago  no     -       pid 42 on box since T\n");
}

TEST(PoolStatusTest, SaysSoWhenThePoolIsEmpty)
{
  EXPECT_EQ(format_pool_status({}, "test", system_clock::now()), "no warm stacks in the test pool\n");
}

TEST(RunPoolTest, IdleWarmStacksTakeTheirCostOutOfTheBudget)
{
  EXPECT_EQ(budget_beside_warm_stacks(1000, 100, 0), 1000u);
  EXPECT_EQ(budget_beside_warm_stacks(1000, 100, 3), 700u);
}

TEST(RunPoolTest, TheBudgetAlwaysLeavesRoomForOneStack)
{
  EXPECT_EQ(budget_beside_warm_stacks(1000, 300, 10), 300u);
  EXPECT_EQ(budget_beside_warm_stacks(1000, 0, 10), 1000u);  // no limits known: parallel decides
}

TEST(RunPoolTest, CountsWarmStacksOfTheRunsKeyBeyondItsParallelAsIdle)
{
  TempDir dir;
  const PoolPlace place{"shop", "test", dir.path(), dir.path() / "locks"};
  ComposeModelInputs inputs;
  inputs.files["/c.yml"] = "a";
  const auto ours = make_pool_key(inputs, {});
  inputs.files["/c.yml"] = "b";
  const auto other = make_pool_key(inputs, {});
  for (int i = 0; i < 3; ++i) {
    PoolRecord record;
    record.stack = "s" + std::to_string(i);
    record.key = ours;
    save_pool_record(dir.path(), record);
  }
  PoolRecord stale;
  stale.stack = "old";
  stale.key = other;
  save_pool_record(dir.path(), stale);

  EXPECT_EQ(warm_stacks_beside(place, nullptr, 2), 4);  // a run without --reuse claims none
  EXPECT_EQ(warm_stacks_beside(place, &ours, 2), 2);    // the stale one, and one of ours
  EXPECT_EQ(warm_stacks_beside(place, &ours, 8), 1);
}

}  // namespace
}  // namespace orchestrate
