#include "reporting/StatusLines.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

constexpr TerminalSize k_wide{200, 50};

TestResult result_in(int shard, Outcome outcome)
{
  TestResult result;
  result.id = "tests/test_x.py::test_y";
  result.shard = shard;
  result.outcome = outcome;
  return result;
}

std::vector<std::string> texts(const std::vector<StatusLine>& lines)
{
  std::vector<std::string> result;
  for (const auto& line : lines) {
    result.push_back(line.text);
  }
  return result;
}

int code_points(const std::string& text)
{
  int count = 0;
  for (const char c : text) {
    count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return count;
}

TEST(StatusLinesTest, OneLinePerShardThenTheOverallLine)
{
  ShardStatusBoard board(3, 74);
  board.starting(1);
  board.batch_started(2, 30, "tests/test_orders.py::test_x");
  for (int i = 0; i < 18; ++i) {
    board.test_finished(result_in(2, Outcome::k_passed));
  }
  board.test_finished(result_in(2, Outcome::k_failed));
  board.finished(3);

  EXPECT_EQ(texts(render_status_lines(board, Milliseconds(12'300), k_wide)),
            (std::vector<std::string>{
              "shard 1  starting stack...",
              "shard 2  running batch 1 (30 tests) | 18 passed, 1 failed | "
              "tests/test_orders.py::test_x ...",
              "shard 3  done: no tests yet",
              "[ 25%] 19 of 74 tests: 18 passed, 1 failed, 0 skipped in 12.30s",
            }));
}

TEST(StatusLinesTest, ShowsWaitingTearingDownAndTheFirstLineOfAShardError)
{
  ShardStatusBoard board(3, 2);
  board.test_finished(result_in(2, Outcome::k_skipped));
  board.tearing_down(2);
  board.failed(3, "stack never became ready\nlast log lines: ...");

  const auto lines = texts(render_status_lines(board, Milliseconds(0), k_wide));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "shard 1  waiting");
  EXPECT_EQ(lines[1], "shard 2  tearing down | 1 skipped");
  EXPECT_EQ(lines[2], "shard 3  error: stack never became ready");
}

TEST(StatusLinesTest, NamesEachShardsEngineWhenStacksArePlacedOnSeveral)
{
  ShardStatusBoard board(3, 4);
  board.placed(1, "local");
  board.starting(1);
  board.placed(2, "tls");
  board.batch_started(2, 1, "tests/test_x.py::test_y");
  // Shard 3 waits for room: no engine yet.

  EXPECT_EQ(texts(render_status_lines(board, Milliseconds(0), k_wide)),
            (std::vector<std::string>{
              "shard 1 on local  starting stack...",
              "shard 2 on tls    running batch 1 (1 test) | tests/test_x.py::test_y",
              "shard 3           waiting",
              "[  0%] 0 of 4 tests: 0 passed, 0 failed, 0 skipped in 0.00s",
            }));
  // A stack moved to another engine: the line follows it.
  board.placed(1, "ssh");
  EXPECT_EQ(render_status_lines(board, Milliseconds(0), k_wide)[0].text,
            "shard 1 on ssh  starting stack...");  // the widest is now 3
}

TEST(StatusLinesTest, PadsShardNumbersToTheWidest)
{
  const ShardStatusBoard board(10, 20);
  const auto lines = texts(render_status_lines(board, Milliseconds(0), k_wide));
  EXPECT_EQ(lines[0], "shard  1  waiting");
  EXPECT_EQ(lines[9], "shard 10  waiting");
}

TEST(StatusLinesTest, ColoursFailuresBadAndCleanFinishesGood)
{
  ShardStatusBoard board(3, 3);
  board.batch_started(1, 2, "a");
  board.test_finished(result_in(1, Outcome::k_failed));
  board.test_finished(result_in(2, Outcome::k_passed));
  board.finished(2);
  board.batch_started(3, 1, "c");

  const auto lines = render_status_lines(board, Milliseconds(0), k_wide);
  EXPECT_EQ(lines[0].tone, LineTone::k_bad);
  EXPECT_EQ(lines[1].tone, LineTone::k_good);
  EXPECT_EQ(lines[2].tone, LineTone::k_plain);
  EXPECT_EQ(lines[3].tone, LineTone::k_bad);
}

TEST(StatusLinesTest, NoLineReachesTheLastColumn)
{
  ShardStatusBoard board(2, 10);
  board.batch_started(1, 10, "tests/test_a_module_with_a_long_name.py::test_with_a_long_name[p0]");
  board.batch_started(2, 10, "tests/test_b.py::test_caf\xC3\xA9_\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9");

  for (const int columns : {20, 40, 41, 42, 43}) {
    for (const auto& line : render_status_lines(board, Milliseconds(0), {columns, 24})) {
      EXPECT_LE(code_points(line.text), columns - 1) << columns << ": " << line.text;
    }
  }
}

TEST(StatusLinesTest, TruncationMarksTheCutAndKeepsWholeCodePoints)
{
  EXPECT_EQ(truncate_to_width("abcdefghij", 10), "abcdefghij");
  EXPECT_EQ(truncate_to_width("abcdefghij", 8), "abcde...");
  EXPECT_EQ(truncate_to_width("abcdefghij", 2), "ab");
  // "é" is two bytes; cutting must not split it.
  EXPECT_EQ(truncate_to_width("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 4), "\xC3\xA9...");
}

TEST(StatusLinesTest, TooManyShardsForTheTerminalShowTheBusyOnesAndCountTheRest)
{
  ShardStatusBoard board(12, 100);
  for (int shard = 1; shard <= 12; ++shard) {
    if (shard <= 4) {
      board.finished(shard);
    } else if (shard >= 9) {
      board.batch_started(shard, 5, "t");
    }
  }
  // 8 rows: 6 for shards and their count, one overall line, one for the cursor.
  const auto lines = texts(render_status_lines(board, Milliseconds(0), {200, 8}));
  ASSERT_EQ(lines.size(), 7u);
  // The four running shards, then the first waiting one, in shard order.
  EXPECT_EQ(lines[0], "shard  5  waiting");
  EXPECT_EQ(lines[1].rfind("shard  9  running", 0), 0u) << lines[1];
  EXPECT_EQ(lines[4].rfind("shard 12  running", 0), 0u) << lines[4];
  EXPECT_EQ(lines[5], "... 7 more shards (0 busy, 3 waiting, 4 done)");
  EXPECT_EQ(lines[6].rfind("[  0%]", 0), 0u) << lines[6];
}

TEST(StatusLinesTest, AShardFedTestByTestRunsFromItsFirstTestAndShowsNoBatch)
{
  ShardStatusBoard board(1, 30);
  board.starting(1);
  board.test_started(1, "tests/test_orders.py::test_0");
  board.test_finished(result_in(1, Outcome::k_passed));
  board.test_started(1, "tests/test_orders.py::test_1");

  EXPECT_EQ(texts(render_status_lines(board, Milliseconds(1'000), k_wide)).front(),
            "shard 1  running | 1 passed | tests/test_orders.py::test_1");
}

TEST(StatusLinesTest, ARunningShardShowsHowFarItsBatchIsAndTheTestRunningNow)
{
  ShardStatusBoard board(1, 30);
  board.batch_started(1, 30, "tests/test_orders.py::test_a");
  for (int i = 0; i < 3; ++i) {
    board.test_started(1, "tests/test_orders.py::test_" + std::to_string(i));
  }
  board.test_finished(result_in(1, Outcome::k_passed));
  board.test_finished(result_in(1, Outcome::k_passed));

  EXPECT_EQ(texts(render_status_lines(board, Milliseconds(1'000), k_wide)).front(),
            "shard 1  running batch 1 (3/30 tests) | 2 passed | tests/test_orders.py::test_2");
}

}  // namespace
}  // namespace orchestrate
