#include "core/Error.hpp"
#include "process/ChildProcess.hpp"
#include "process/ProcStat.hpp"
#include "process/SignalState.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace orchestrate {
namespace {

using Clock = std::chrono::steady_clock;

ProcessOptions shell(const std::string& script)
{
  ProcessOptions options;
  options.argv = {"sh", "-c", script};
  return options;
}

std::string read_file(const std::filesystem::path& path)
{
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

class ChildProcessTest : public testing::Test
{
protected:
  void TearDown() override
  {
    reset_interrupts();
  }

  // Waits (bounded) until the child has printed a first line, and returns it: scripts print the
  // pid of a background grandchild that way.
  static std::string first_line(const ChildProcess& child)
  {
    auto deadline = Clock::now() + std::chrono::seconds(5);
    while (Clock::now() < deadline) {
      std::string text = child.output();
      auto newline = text.find('\n');
      if (newline != std::string::npos) {
        return text.substr(0, newline);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return {};
  }

  TempDir m_temp;
  const std::filesystem::path& m_dir = m_temp.path();
};

TEST_F(ChildProcessTest, ReturnsTheExitCodeOfTheChild)
{
  ChildProcess child(shell("exit 3"));
  ProcessExit exit = child.wait();
  EXPECT_EQ(exit.exit_code, 3);
  EXPECT_EQ(exit.signal, 0);
  EXPECT_FALSE(exit.timed_out);
  EXPECT_FALSE(exit.succeeded());

  EXPECT_TRUE(ChildProcess(shell("true")).wait().succeeded());
}

TEST_F(ChildProcessTest, ReportsDeathBySignalAs128PlusTheSignal)
{
  ProcessExit exit = ChildProcess(shell("kill -TERM $$")).wait();
  EXPECT_EQ(exit.signal, SIGTERM);
  EXPECT_EQ(exit.exit_code, 128 + SIGTERM);
  EXPECT_FALSE(exit.succeeded());

  exit = ChildProcess(shell("kill -KILL $$")).wait();
  EXPECT_EQ(exit.exit_code, 128 + SIGKILL);
}

TEST_F(ChildProcessTest, CapturesStdoutAndStderr)
{
  ProcessOptions options = shell("echo to-stdout; echo to-stderr >&2");
  options.capture_output = true;
  ChildProcess child(options);
  EXPECT_TRUE(child.wait().succeeded());
  EXPECT_EQ(child.output(), "to-stdout\nto-stderr\n");
}

TEST_F(ChildProcessTest, CapturesOutputLargerThanAPipeBuffer)
{
  // 1 MiB: a child writing that much into an undrained pipe would block forever.
  ProcessOptions options = shell("head -c 1048576 /dev/zero");
  options.capture_output = true;
  ChildProcess child(options);
  ProcessExit exit = child.wait(std::chrono::seconds(10));
  EXPECT_TRUE(exit.succeeded());
  EXPECT_EQ(child.output().size(), 1048576u);
}

TEST_F(ChildProcessTest, AppendsToTheOutputFileAndCapturesOnlyThisRun)
{
  auto log = m_dir / "shard.log";
  std::ofstream(log) << "earlier run\n";
  ProcessOptions options = shell("echo this run; echo its error >&2");
  options.output_file = log;
  options.capture_output = true;
  ChildProcess child(options);
  EXPECT_TRUE(child.wait().succeeded());
  EXPECT_EQ(read_file(log), "earlier run\nthis run\nits error\n");
  EXPECT_EQ(child.output(), "this run\nits error\n");
}

TEST_F(ChildProcessTest, WritesTheOutputFileWithoutCapturing)
{
  auto log = m_dir / "new.log";
  ProcessOptions options = shell("echo written");
  options.output_file = log;
  ChildProcess child(options);
  EXPECT_TRUE(child.wait().succeeded());
  EXPECT_EQ(read_file(log), "written\n");
  EXPECT_EQ(child.output(), "");
}

TEST_F(ChildProcessTest, PassesExtraEnvironmentOnTopOfOurs)
{
  ::setenv("ORCHESTRATE_TEST_INHERITED", "from-parent", 1);
  ::setenv("ORCHESTRATE_TEST_OVERRIDDEN", "old", 1);
  ProcessOptions options =
    shell("echo $ORCHESTRATE_TEST_INHERITED $ORCHESTRATE_TEST_OVERRIDDEN $ORCHESTRATE_TEST_EXTRA");
  options.extra_environment = {{"ORCHESTRATE_TEST_OVERRIDDEN", "new"},
                               {"ORCHESTRATE_TEST_EXTRA", "postgresql://db:5432/x"}};
  CommandOutput result = run_command(options);
  ::unsetenv("ORCHESTRATE_TEST_INHERITED");
  ::unsetenv("ORCHESTRATE_TEST_OVERRIDDEN");
  EXPECT_TRUE(result.exit.succeeded());
  EXPECT_EQ(result.output, "from-parent new postgresql://db:5432/x\n");
}

TEST_F(ChildProcessTest, LooksTheProgramUpOnTheOverriddenPath)
{
  auto program = m_dir / "only-here";
  std::ofstream(program) << "#!/bin/sh\necho found\n";
  std::filesystem::permissions(program, std::filesystem::perms::owner_all);
  ProcessOptions options;
  options.argv = {"only-here"};
  options.extra_environment = {{"PATH", "/nonexistent:" + m_dir.string() + ":/usr/bin:/bin"}};
  CommandOutput result = run_command(options);
  EXPECT_TRUE(result.exit.succeeded());
  EXPECT_EQ(result.output, "found\n");
}

TEST_F(ChildProcessTest, RunsInTheWorkingDirectory)
{
  ProcessOptions options = shell("pwd -P");
  options.working_directory = m_dir;
  CommandOutput result = run_command(options);
  EXPECT_EQ(result.output, std::filesystem::canonical(m_dir).string() + "\n");
}

TEST_F(ChildProcessTest, MissingWorkingDirectoryThrowsInternalError)
{
  ProcessOptions options = shell("true");
  options.working_directory = m_dir / "missing";
  EXPECT_THROW(ChildProcess{options}, InternalError);
}

TEST_F(ChildProcessTest, MissingProgramThrowsInternalError)
{
  ProcessOptions options;
  options.argv = {"orchestrate-no-such-program", "--flag"};
  try {
    ChildProcess child(options);
    FAIL() << "expected InternalError";
  } catch (const InternalError& error) {
    EXPECT_NE(std::string(error.what()).find("orchestrate-no-such-program"), std::string::npos)
      << error.what();
  }
  EXPECT_THROW(ChildProcess{ProcessOptions{}}, InternalError);
}

TEST_F(ChildProcessTest, FailedExecThrowsInternalErrorAndLeavesNoZombie)
{
  // Found by path, so the failure comes from execve in the forked child.
  auto not_executable = m_dir / "not-executable";
  std::ofstream(not_executable) << "echo never\n";
  ProcessOptions options;
  options.argv = {not_executable.string()};
  EXPECT_THROW(ChildProcess{options}, InternalError);

  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    auto stat = read_proc_stat(std::stoi(name));
    EXPECT_FALSE(stat && stat->parent_pid == ::getpid() && !stat->is_running())
      << "zombie child " << name;
  }
}

TEST_F(ChildProcessTest, ChildLeadsItsOwnProcessGroup)
{
  ChildProcess child(shell("sleep 100"));
  auto stat = read_proc_stat(child.pid());
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->process_group, child.pid());
  EXPECT_NE(stat->process_group, ::getpgrp());
}

TEST_F(ChildProcessTest, PollReportsNothingWhileRunningAndTheExitAfterwards)
{
  ChildProcess child(shell("sleep 100"));
  EXPECT_FALSE(child.poll());
  child.stop(std::chrono::milliseconds(1000));
  auto exit = child.poll();
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->signal, SIGTERM);
}

TEST_F(ChildProcessTest, TimeoutKillsTheWholeGroupIncludingTheGrandchild)
{
  ProcessOptions options = shell("sleep 100 & echo $!; sleep 100");
  options.capture_output = true;
  ChildProcess child(options);
  int grandchild = std::stoi(first_line(child));
  ASSERT_TRUE(process_is_running(grandchild));

  auto start = Clock::now();
  ProcessExit exit = child.wait(std::chrono::milliseconds(200));
  EXPECT_TRUE(exit.timed_out);
  EXPECT_FALSE(exit.succeeded());
  EXPECT_EQ(exit.signal, SIGTERM);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  EXPECT_FALSE(process_is_running(grandchild));
  EXPECT_TRUE(running_group_members(child.pid()).empty());
}

TEST_F(ChildProcessTest, DestructorKillsARunningChildAndItsGrandchild)
{
  int child_pid = 0;
  int grandchild = 0;
  {
    ProcessOptions options = shell("sleep 100 & echo $!; sleep 100");
    options.capture_output = true;
    ChildProcess child(options);
    child_pid = child.pid();
    grandchild = std::stoi(first_line(child));
    ASSERT_TRUE(process_is_running(child_pid));
    ASSERT_TRUE(process_is_running(grandchild));
  }
  // Reaped by the destructor: no /proc entry left at all, not even a zombie.
  EXPECT_FALSE(read_proc_stat(child_pid));
  EXPECT_FALSE(process_is_running(grandchild));
}

TEST_F(ChildProcessTest, StopKillsWhatTheChildLeftBehindAfterItExited)
{
  ProcessOptions options = shell("sleep 100 & echo $!");
  options.capture_output = true;
  ChildProcess child(options);
  EXPECT_TRUE(child.wait().succeeded());
  int grandchild = std::stoi(first_line(child));
  ASSERT_TRUE(process_is_running(grandchild));
  child.stop(std::chrono::milliseconds(1000));
  EXPECT_FALSE(process_is_running(grandchild));
}

TEST_F(ChildProcessTest, ChildIgnoringSigtermIsKilledAfterTheGrace)
{
  ProcessOptions options = shell("trap '' TERM; echo ready; while :; do sleep 0.05; done");
  options.capture_output = true;
  ChildProcess child(options);
  ASSERT_EQ(first_line(child), "ready");
  auto start = Clock::now();
  child.stop(std::chrono::milliseconds(300));
  auto elapsed = Clock::now() - start;
  auto exit = child.poll();
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->signal, SIGKILL);
  EXPECT_EQ(exit->exit_code, 128 + SIGKILL);
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST_F(ChildProcessTest, WaitReturnsInterruptedWhenAnInterruptArrives)
{
  ChildProcess child(shell("sleep 100"));
  simulate_interrupts(1, SIGINT);
  auto start = Clock::now();
  ProcessExit exit = child.wait(std::chrono::seconds(30));
  EXPECT_TRUE(exit.interrupted);
  EXPECT_FALSE(exit.timed_out);
  EXPECT_FALSE(exit.succeeded());
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  EXPECT_FALSE(process_is_running(child.pid()));
}

TEST_F(ChildProcessTest, WaitIgnoresInterruptsWhenAskedTo)
{
  ChildProcess child(shell("sleep 0.2; exit 4"));
  simulate_interrupts(1, SIGINT);
  ProcessExit exit = child.wait(std::nullopt, false);
  EXPECT_FALSE(exit.interrupted);
  EXPECT_EQ(exit.exit_code, 4);
}

TEST_F(ChildProcessTest, AssigningOverARunningChildStopsIt)
{
  ChildProcess child(shell("sleep 100"));
  int first = child.pid();
  child = ChildProcess(shell("exit 0"));
  EXPECT_FALSE(read_proc_stat(first));
  EXPECT_NE(child.pid(), first);
  EXPECT_TRUE(child.wait().succeeded());
}

TEST_F(ChildProcessTest, RunCommandReturnsExitAndOutput)
{
  CommandOutput result = run_command(shell("echo collected; exit 5"));
  EXPECT_EQ(result.exit.exit_code, 5);
  EXPECT_EQ(result.output, "collected\n");
}

TEST_F(ChildProcessTest, RunCommandHonoursItsTimeout)
{
  CommandOutput result = run_command(shell("sleep 100"), std::chrono::milliseconds(100));
  EXPECT_TRUE(result.exit.timed_out);
}

TEST_F(ChildProcessTest, ChildGetsTheDefaultSigpipeActionThoughWeIgnoreIt)
{
  // orchestrate ignores SIGPIPE; a child must not inherit that (a test's `yes | head` would
  // print "Broken pipe" errors instead of ending quietly).
  struct sigaction ignore {};
  struct sigaction previous {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  ChildProcess child(shell("kill -PIPE $$; exit 0"));
  const auto exit = child.wait(Milliseconds(5000));
  ::sigaction(SIGPIPE, &previous, nullptr);
  EXPECT_EQ(exit.signal, SIGPIPE);
}

}  // namespace
}  // namespace orchestrate
