#include "reporting/ShardStatusBoard.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

TestResult result_in(int shard, Outcome outcome)
{
  TestResult result;
  result.id = "tests/test_x.py::test_" + std::to_string(shard);
  result.shard = shard;
  result.outcome = outcome;
  return result;
}

TEST(ShardStatusBoardTest, ShardsStartWaiting)
{
  const ShardStatusBoard board(3, 10);
  ASSERT_EQ(board.shards().size(), 3u);
  for (const auto& shard : board.shards()) {
    EXPECT_EQ(shard.state, ShardState::k_waiting);
  }
}

TEST(ShardStatusBoardTest, FollowsAShardFromStartingToDone)
{
  ShardStatusBoard board(2, 10);
  board.starting(2);
  EXPECT_EQ(board.shards()[1].state, ShardState::k_starting);
  EXPECT_EQ(board.shards()[0].state, ShardState::k_waiting);

  board.batch_started(2, 5, "tests/test_a.py::test_one");
  EXPECT_EQ(board.shards()[1].state, ShardState::k_running);
  EXPECT_EQ(board.shards()[1].batches, 1);
  EXPECT_EQ(board.shards()[1].batch_size, 5);
  EXPECT_EQ(board.shards()[1].first_test, "tests/test_a.py::test_one");

  board.batch_started(2, 3, "tests/test_b.py::test_two");
  EXPECT_EQ(board.shards()[1].batches, 2);
  EXPECT_EQ(board.shards()[1].batch_size, 3);

  board.tearing_down(2);
  EXPECT_EQ(board.shards()[1].state, ShardState::k_tearing_down);
  board.finished(2);
  EXPECT_EQ(board.shards()[1].state, ShardState::k_done);
}

TEST(ShardStatusBoardTest, AFailedShardStaysFailedAfterItsTeardown)
{
  ShardStatusBoard board(1, 4);
  board.starting(1);
  board.failed(1, "service test-postgres not ready after 60s\nlast log lines:\n...");
  board.finished(1);
  EXPECT_EQ(board.shards()[0].state, ShardState::k_failed);
  EXPECT_EQ(board.shards()[0].error, "service test-postgres not ready after 60s");
}

TEST(ShardStatusBoardTest, CountsResultsPerShardAndOverall)
{
  ShardStatusBoard board(2, 6);
  board.test_finished(result_in(1, Outcome::k_passed));
  board.test_finished(result_in(1, Outcome::k_failed));
  board.test_finished(result_in(2, Outcome::k_error));
  board.test_finished(result_in(2, Outcome::k_skipped));
  board.test_finished(result_in(2, Outcome::k_xfailed));
  board.test_finished(result_in(2, Outcome::k_xpassed));

  EXPECT_EQ(board.shards()[0].counts, (ProgressCounts{.passed = 1, .failed = 1, .skipped = 0}));
  EXPECT_EQ(board.shards()[1].counts, (ProgressCounts{.passed = 1, .failed = 1, .skipped = 2}));
  EXPECT_EQ(board.overall(), (ProgressCounts{.passed = 2, .failed = 2, .skipped = 2}));
  EXPECT_EQ(board.overall().done(), 6);
}

TEST(ShardStatusBoardTest, ResultsOfAnUnknownShardCountOnlyOverall)
{
  ShardStatusBoard board(2, 4);
  board.test_finished(result_in(0, Outcome::k_passed));
  board.test_finished(result_in(7, Outcome::k_failed));
  board.starting(7);  // ignored, not a crash
  EXPECT_EQ(board.overall().done(), 2);
  EXPECT_EQ(board.shards()[0].counts.done(), 0);
  EXPECT_EQ(board.shards()[1].counts.done(), 0);
}

TEST(ShardStatusBoardTest, PercentIsRoundedDownLikeTheProgressLines)
{
  ShardStatusBoard board(1, 3);
  EXPECT_EQ(board.percent(), 0);
  board.test_finished(result_in(1, Outcome::k_passed));
  EXPECT_EQ(board.percent(), 33);
  board.test_finished(result_in(1, Outcome::k_passed));
  EXPECT_EQ(board.percent(), 66);
  board.test_finished(result_in(1, Outcome::k_passed));
  EXPECT_EQ(board.percent(), 100);
}

TEST(ShardStatusBoardTest, PercentIsCompleteWithNothingToRun)
{
  const ShardStatusBoard board(1, 0);
  EXPECT_EQ(board.percent(), 100);
}

TEST(ShardStatusBoardTest, FollowsTheRunningTestOfABatchAndStartsAfreshWithTheNext)
{
  ShardStatusBoard board(1, 10);
  board.batch_started(1, 2, "tests/test_a.py::test_one");
  EXPECT_EQ(board.shards()[0].started_in_batch, 0);
  EXPECT_TRUE(board.shards()[0].current_test.empty());

  board.test_started(1, "tests/test_a.py::test_one");
  board.test_started(1, "tests/test_a.py::test_two");
  EXPECT_EQ(board.shards()[0].current_test, "tests/test_a.py::test_two");
  EXPECT_EQ(board.shards()[0].started_in_batch, 2);
  // A restarted runner starts a test again: never more than the batch.
  board.test_started(1, "tests/test_a.py::test_two");
  EXPECT_EQ(board.shards()[0].started_in_batch, 2);

  board.batch_started(1, 4, "tests/test_b.py::test_three");
  EXPECT_EQ(board.shards()[0].started_in_batch, 0);
  EXPECT_TRUE(board.shards()[0].current_test.empty());
}

}  // namespace
}  // namespace orchestrate
