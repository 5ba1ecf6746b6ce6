#include "FakeShards.hpp"
#include "process/SignalState.hpp"
#include "scheduling/Scheduler.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

using testing::FakeShardFactory;
using testing::make_tests;

class SchedulerTest : public ::testing::Test
{
protected:
  void TearDown() override
  {
    reset_interrupts();  // -x requests a process-wide stop; never leak it into the next test
  }
};

TEST_F(SchedulerTest, DynamicDispatchRunsEveryTestExactlyOnceAcrossAllShards)
{
  FakeShardFactory factory;
  auto queue = WorkQueue::make_dynamic(make_tests(100), 4);
  const auto result = run_shards(queue, factory, {4, 0, 0});

  EXPECT_EQ(result.results.size(), 100u);
  EXPECT_TRUE(result.not_run.empty());
  EXPECT_EQ(factory.log.attempts.size(), 100u);
  for (const auto& [id, attempts] : factory.log.attempts) {
    EXPECT_EQ(attempts, 1) << id;
  }
  EXPECT_EQ(factory.log.opened, (std::set<int>{1, 2, 3, 4}));
  EXPECT_EQ(factory.log.closed, factory.log.opened);  // every session torn down
}

TEST_F(SchedulerTest, DynamicDispatchKeepsEveryShardBusyUntilWorkRunsOut)
{
  // Shard 1's tests are slow: with a shared queue the fast shards take more of the work instead of
  // idling, so every shard runs something and the slow one runs fewer tests.
  FakeShardFactory factory([](const std::string&, int) { return Outcome::k_passed; },
                           std::chrono::milliseconds(5));
  auto queue = WorkQueue::make_dynamic(make_tests(40), 4);
  const auto result = run_shards(queue, factory, {4, 0, 0});
  EXPECT_EQ(result.results.size(), 40u);
  for (int shard = 1; shard <= 4; ++shard) {
    EXPECT_FALSE(factory.log.tests_by_shard[shard].empty()) << "shard " << shard << " idled";
  }
}

TEST_F(SchedulerTest, ShardThatCannotStartLeavesItsWorkToTheOthers)
{
  FakeShardFactory factory;
  factory.failing_shards = {2};
  auto queue = WorkQueue::make_dynamic(make_tests(30), 3);
  const auto result = run_shards(queue, factory, {3, 0, 0});

  EXPECT_EQ(result.results.size(), 30u);
  ASSERT_EQ(result.shard_errors.size(), 1u);
  EXPECT_EQ(result.shard_errors.front().shard, 2);
  EXPECT_NE(result.shard_errors.front().message.find("never became ready"), std::string::npos);
  EXPECT_TRUE(factory.log.tests_by_shard[2].empty());
}

TEST_F(SchedulerTest, StaticShardThatCannotStartReportsItsTestsAsNotRun)
{
  FakeShardFactory factory;
  factory.failing_shards = {1};
  auto queue = WorkQueue::make_static({{{"a", Milliseconds(1)}, {"b", Milliseconds(1)}},
                                       {{"c", Milliseconds(1)}}});
  const auto result = run_shards(queue, factory, {2, 0, 0});

  ASSERT_EQ(result.results.size(), 1u);
  EXPECT_EQ(result.results.front().id, "c");
  EXPECT_EQ(result.not_run.size(), 2u);
}

TEST_F(SchedulerTest, ExitFirstStopsDispatchAfterTheFirstFailure)
{
  FakeShardFactory factory([](const std::string& id, int) {
    return id == "test_3" ? Outcome::k_failed : Outcome::k_passed;
  });
  // One shard, batches of one: after test_3 fails nothing more may be dispatched.
  auto dynamic_queue = WorkQueue::make_dynamic(make_tests(10), 1);
  const auto result = run_shards(dynamic_queue, factory, {1, 1, 0});

  EXPECT_TRUE(result.stopped_early);
  EXPECT_FALSE(result.interrupted);
  EXPECT_EQ(result.results.size() + result.not_run.size(), 10u);
  EXPECT_LT(result.results.size(), 10u);
  int failed = 0;
  for (const auto& test : result.results) {
    failed += test.outcome == Outcome::k_failed ? 1 : 0;
  }
  EXPECT_EQ(failed, 1);
  EXPECT_TRUE(stop_requested());  // running children elsewhere are told to stop
}

TEST_F(SchedulerTest, ExitFirstStopsTheRestOfTheFailingBatchNotOnlyLaterBatches)
{
  FakeShardFactory factory([](const std::string& id, int) {
    return id == "test_3" ? Outcome::k_failed : Outcome::k_passed;
  });
  // One shard, one batch holding all ten tests: the failure must stop the batch itself.
  auto queue = WorkQueue::make_static({make_tests(10)});
  const auto result = run_shards(queue, factory, {1, 1, 0});

  EXPECT_TRUE(result.stopped_early);
  EXPECT_EQ(factory.log.tests_by_shard[1].size(), 4u);  // test_0 .. test_3, nothing after
  EXPECT_EQ(result.results.size(), 4u);
  EXPECT_EQ(result.not_run.size(), 6u);
}

TEST_F(SchedulerTest, WithRerunsAFailureInABatchDoesNotStopItBeforeItsRetry)
{
  // test_3 fails once, then passes: with --reruns it is flaky, not a failure, so -x must not stop.
  FakeShardFactory factory([](const std::string& id, int attempt) {
    return id == "test_3" && attempt == 1 ? Outcome::k_failed : Outcome::k_passed;
  });
  auto queue = WorkQueue::make_static({make_tests(10)});
  const auto result = run_shards(queue, factory, {1, 1, 1});

  EXPECT_FALSE(result.stopped_early);
  EXPECT_EQ(result.results.size(), 10u);
  EXPECT_TRUE(result.not_run.empty());
}

TEST_F(SchedulerTest, MaxFailStopsAfterThatManyFailures)
{
  FakeShardFactory factory([](const std::string&, int) { return Outcome::k_failed; });
  auto queue = WorkQueue::make_dynamic(make_tests(20), 1);
  const auto result = run_shards(queue, factory, {1, 3, 0});
  EXPECT_TRUE(result.stopped_early);
  EXPECT_EQ(result.results.size(), 3u);
  EXPECT_EQ(result.not_run.size(), 17u);
}

TEST_F(SchedulerTest, RerunsMarkATestThatPassesOnRetryAsFlaky)
{
  FakeShardFactory factory([](const std::string& id, int attempt) {
    if (id == "test_1") {
      return attempt >= 2 ? Outcome::k_passed : Outcome::k_failed;  // flaky
    }
    if (id == "test_2") {
      return Outcome::k_failed;  // broken
    }
    return Outcome::k_passed;
  });
  auto queue = WorkQueue::make_dynamic(make_tests(5), 2);
  const auto result = run_shards(queue, factory, {2, 0, 2});

  ASSERT_EQ(result.results.size(), 5u);
  for (const auto& test : result.results) {
    if (test.id == "test_1") {
      EXPECT_EQ(test.outcome, Outcome::k_passed);
      EXPECT_TRUE(test.flaky);
      EXPECT_EQ(test.attempts, 2);
    } else if (test.id == "test_2") {
      EXPECT_EQ(test.outcome, Outcome::k_failed);
      EXPECT_FALSE(test.flaky);
      EXPECT_EQ(test.attempts, 3);
    } else {
      EXPECT_EQ(test.attempts, 1);
    }
  }
  EXPECT_EQ(factory.log.attempts["test_2"], 3);
}

TEST_F(SchedulerTest, InterruptStopsDispatchAndReportsTheRestAsNotRun)
{
  FakeShardFactory factory([](const std::string& id, int) {
    if (id == "test_2") {
      simulate_interrupts(1, 2);  // Ctrl-C arrives while test_2 runs
    }
    return Outcome::k_passed;
  });
  auto queue = WorkQueue::make_dynamic(make_tests(10), 1);
  const auto result = run_shards(queue, factory, {1, 0, 0});
  EXPECT_TRUE(result.interrupted);
  EXPECT_EQ(result.results.size(), 3u);
  EXPECT_EQ(result.not_run.size(), 7u);
  EXPECT_EQ(factory.log.closed, (std::set<int>{1}));  // torn down although interrupted
}

}  // namespace
}  // namespace orchestrate
