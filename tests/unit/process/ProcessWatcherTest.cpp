#include "process/ProcStat.hpp"
#include "process/ProcessWatcher.hpp"
#include "process/SignalState.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace orchestrate {
namespace {

using Clock = std::chrono::steady_clock;
using StoppedBy = ProcessEnding::StoppedBy;

ProcessOptions shell(const std::string& script)
{
  ProcessOptions options;
  options.argv = {"sh", "-c", script};
  options.capture_output = true;
  return options;
}

// Waits (bounded) until the process has printed a first line, and returns it: scripts say they
// are ready, or print a pid, that way.
std::string first_line(const ProcessWatcher& watcher)
{
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    const std::string text = watcher.output();
    if (const auto newline = text.find('\n'); newline != std::string::npos) {
      return text.substr(0, newline);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return {};
}

class ProcessWatcherTest : public testing::Test
{
protected:
  void TearDown() override
  {
    reset_interrupts();
  }
};

TEST_F(ProcessWatcherTest, ReportsAProcessThatEndedByItselfWithItsExitCode)
{
  ProcessWatcher watcher(shell("exit 3"));
  const auto ending = watcher.wait();
  EXPECT_EQ(ending.stopped_by, StoppedBy::k_nobody);
  EXPECT_FALSE(ending.stopped());
  EXPECT_EQ(ending.exit.exit_code, 3);
  EXPECT_TRUE(ending.reason.empty());
  EXPECT_EQ(ending.describe("the script"), "the script exited with code 3");
}

TEST_F(ProcessWatcherTest, DescribesAProcessKilledBySignalByTheSignalsName)
{
  ProcessWatcher watcher(shell("kill -SEGV $$"));
  const auto ending = watcher.wait();
  EXPECT_EQ(ending.stopped_by, StoppedBy::k_nobody);
  EXPECT_EQ(ending.exit.signal, SIGSEGV);
  EXPECT_EQ(ending.describe("pytest"), "pytest was killed by signal 11 (SIGSEGV)");
}

TEST_F(ProcessWatcherTest, PollReportsNothingWhileTheProcessRunsWithinItsDeadline)
{
  ProcessWatcher watcher(shell("echo ready; sleep 30"));
  watcher.arm_deadline(std::chrono::seconds(60), "timeout after 60.00s");
  ASSERT_EQ(first_line(watcher), "ready");
  EXPECT_FALSE(watcher.poll());
  EXPECT_FALSE(watcher.ending());
}

TEST_F(ProcessWatcherTest, StopsTheWholeGroupWhenTheDeadlinePassesAndSaysWhy)
{
  ProcessWatcher watcher(shell("sleep 100 & echo $!; sleep 100"));
  const int grandchild = std::stoi(first_line(watcher));
  ASSERT_TRUE(process_is_running(grandchild));
  watcher.arm_deadline(std::chrono::milliseconds(200), "timeout after 0.20s");

  const auto ending = watcher.wait();
  EXPECT_EQ(ending.stopped_by, StoppedBy::k_deadline);
  EXPECT_EQ(ending.reason, "timeout after 0.20s");
  EXPECT_EQ(ending.describe("sh"), "timeout after 0.20s");
  EXPECT_TRUE(ending.exit.timed_out);
  EXPECT_FALSE(ending.exit.interrupted);
  EXPECT_EQ(ending.exit.signal, SIGTERM);
  EXPECT_GE(ending.overdue_after, std::chrono::milliseconds(200));
  EXPECT_FALSE(process_is_running(grandchild));
  EXPECT_TRUE(running_group_members(watcher.pid()).empty());
}

TEST_F(ProcessWatcherTest, ADisarmedDeadlineNeverStopsTheProcess)
{
  ProcessWatcher watcher(shell("sleep 0.4; exit 0"));
  watcher.arm_deadline(std::chrono::milliseconds(50), "timeout after 0.05s");
  watcher.disarm_deadline();
  EXPECT_FALSE(watcher.deadline());
  const auto ending = watcher.wait();
  EXPECT_EQ(ending.stopped_by, StoppedBy::k_nobody);
  EXPECT_TRUE(ending.exit.succeeded());
}

TEST_F(ProcessWatcherTest, ADeadlineCountsFromWhenItsTestStartedAndRearmingReplacesIt)
{
  ProcessWatcher watcher(shell("sleep 30"));
  // A test that started a minute ago with a 10 s bound is overdue; the next test, which starts
  // now, is not.
  const auto a_minute_ago = Clock::now() - std::chrono::minutes(1);
  watcher.arm_deadline(a_minute_ago, std::chrono::seconds(10), "first test: timeout");
  watcher.arm_deadline(std::chrono::seconds(10), "second test: timeout");
  EXPECT_FALSE(watcher.poll());

  watcher.arm_deadline(a_minute_ago, std::chrono::seconds(10), "first test: timeout");
  ASSERT_TRUE(watcher.deadline());
  EXPECT_EQ(*watcher.deadline(), a_minute_ago + std::chrono::seconds(10));
  const auto ending = watcher.poll();
  ASSERT_TRUE(ending);
  EXPECT_EQ(ending->reason, "first test: timeout");
  EXPECT_GE(ending->overdue_after, std::chrono::minutes(1));
}

TEST_F(ProcessWatcherTest, StopsTheProcessWhenTheRunIsInterrupted)
{
  ProcessWatcher watcher(shell("sleep 100"));
  simulate_interrupts(1, SIGINT);
  const auto ending = watcher.wait();
  EXPECT_EQ(ending.stopped_by, StoppedBy::k_interrupt);
  EXPECT_EQ(ending.reason, "interrupted");
  EXPECT_TRUE(ending.exit.interrupted);
  EXPECT_FALSE(ending.exit.timed_out);
}

TEST_F(ProcessWatcherTest, StopsTheProcessWhenAStopIsRequested)
{
  ProcessWatcher watcher(shell("sleep 100"));
  request_stop();
  EXPECT_EQ(watcher.wait().stopped_by, StoppedBy::k_interrupt);
}

TEST_F(ProcessWatcherTest, ASecondInterruptSkipsTheGrace)
{
  // The script ignores SIGTERM, so only SIGKILL ends it: after the 30 s grace on a first
  // interrupt, at once on a second.
  ProcessWatcher watcher(shell("trap '' TERM; echo ready; while :; do sleep 0.05; done"),
                         InterruptPolicy::k_stop, std::chrono::seconds(30));
  ASSERT_EQ(first_line(watcher), "ready");
  simulate_interrupts(2, SIGINT);
  const auto start = Clock::now();
  const auto ending = watcher.wait();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(ending.exit.signal, SIGKILL);
  EXPECT_TRUE(ending.exit.interrupted);
}

TEST_F(ProcessWatcherTest, LeavesTheProcessToItsOwnerOnAnInterruptWhenToldTo)
{
  ProcessWatcher watcher(shell("sleep 0.3; exit 4"), InterruptPolicy::k_ignore);
  simulate_interrupts(1, SIGINT);
  const auto ending = watcher.wait();
  EXPECT_EQ(ending.stopped_by, StoppedBy::k_nobody);
  EXPECT_EQ(ending.exit.exit_code, 4);
}

TEST_F(ProcessWatcherTest, StopEndsTheProcessWithTheOwnersReason)
{
  ProcessWatcher watcher(shell("echo ready; sleep 100"));
  ASSERT_EQ(first_line(watcher), "ready");
  const auto ending = watcher.stop("the shard is closing");
  EXPECT_EQ(ending.stopped_by, StoppedBy::k_request);
  EXPECT_EQ(ending.reason, "the shard is closing");
  EXPECT_FALSE(ending.exit.timed_out);
  EXPECT_FALSE(ending.exit.interrupted);
  EXPECT_EQ(ending.exit.signal, SIGTERM);
}

TEST_F(ProcessWatcherTest, KeepsTheFirstEndingOnceThereIsOne)
{
  ProcessWatcher watcher(shell("exit 2"));
  const auto ending = watcher.wait();
  watcher.arm_deadline(Clock::now() - std::chrono::minutes(1), std::chrono::seconds(1), "late");
  simulate_interrupts(1, SIGINT);
  const auto again = watcher.poll();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->stopped_by, StoppedBy::k_nobody);
  EXPECT_EQ(again->exit.exit_code, 2);
  EXPECT_EQ(watcher.stop("too late").stopped_by, StoppedBy::k_nobody);
}

TEST_F(ProcessWatcherTest, EndsWhatLeftTheProcessGroupThoughTheOptionsDidNotAskForIt)
{
  // A test's daemon (setsid: out of the group) ends with the watcher that started its test.
  TempDir dir;
  const auto pid_file = dir.path() / "escaped.pid";
  ProcessOptions options = shell("setsid sh -c 'echo $$ > \"$0\"; exec sleep 60' " +
                                 pid_file.string() + " & echo started; sleep 60");
  options.end_escaped = false;
  int escaped = 0;
  {
    ProcessWatcher watcher(options);
    ASSERT_EQ(first_line(watcher), "started");
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (escaped == 0 && Clock::now() < deadline) {
      std::ifstream(pid_file) >> escaped;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_GT(escaped, 0);
    watcher.stop("done");
    ASSERT_TRUE(process_is_running(escaped)) << "a group kill alone misses it";
  }
  EXPECT_FALSE(process_is_running(escaped)) << "pid " << escaped << " outlived its watcher";
}

}  // namespace
}  // namespace orchestrate
