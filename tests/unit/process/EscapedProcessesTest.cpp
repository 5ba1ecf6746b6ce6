#include "process/ChildProcess.hpp"
#include "process/EscapedProcesses.hpp"
#include "process/ProcStat.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace orchestrate {
namespace {

// Waits (bounded) for `file` to hold a pid and returns it; 0 if it never does.
int wait_for_pid(const std::filesystem::path& file)
{
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(file);
    int pid = 0;
    if (in >> pid && pid > 0) {
      return pid;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

// A child that starts a process in a session of its own (setsid: out of the child's process
// group, as `Popen(start_new_session=True)` does) and exits at once.
ProcessOptions escaping_child(const std::filesystem::path& pid_file, bool end_escaped)
{
  ProcessOptions options;
  options.argv = {"sh", "-c", "setsid sh -c 'echo $$ > \"$0\"; exec sleep 60' " +
                                pid_file.string() + " & exit 0"};
  options.end_escaped = end_escaped;
  return options;
}

TEST(EscapedProcessesTest, AProcessThatLeftTheGroupEndsWithItsChild)
{
  TempDir dir;
  const auto pid_file = dir.path() / "escaped.pid";
  int escaped = 0;
  {
    ChildProcess child(escaping_child(pid_file, true));
    escaped = wait_for_pid(pid_file);
    ASSERT_GT(escaped, 0);
    child.wait(Milliseconds(5000));
    ASSERT_TRUE(process_is_running(escaped)) << "the escaped process should outlive the child";
  }
  EXPECT_FALSE(process_is_running(escaped)) << "pid " << escaped << " outlived its runner";
}

TEST(EscapedProcessesTest, WithoutTheOptionTheGroupKillMissesIt)
{
  // The failure the option fixes: a group kill alone leaves the escaped process running.
  TempDir dir;
  const auto pid_file = dir.path() / "escaped.pid";
  int escaped = 0;
  {
    ChildProcess child(escaping_child(pid_file, false));
    escaped = wait_for_pid(pid_file);
    ASSERT_GT(escaped, 0);
  }
  EXPECT_TRUE(process_is_running(escaped));
  ::kill(escaped, SIGKILL);
}

TEST(EscapedProcessesTest, OnlyProcessesCarryingTheTokenAreFound)
{
  EXPECT_TRUE(processes_with_token(new_process_token()).empty());
  EXPECT_NE(new_process_token(), new_process_token());
}

}  // namespace
}  // namespace orchestrate
