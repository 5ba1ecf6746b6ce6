// Two runs on one environment at once: the second waits for the environment lock (saying who holds
// it) or, with a short --lock-timeout, gives up with exit code 6 naming the holder. Runs of
// different environments do not wait for each other.

#include "OrchestrateCli.hpp"
#include "locking/EnvironmentLock.hpp"

#include <chrono>
#include <gtest/gtest.h>
#include <thread>
#include <unistd.h>

namespace orchestrate {
namespace {

using testing::ScratchProject;
using testing::run_orchestrate;

// A suite whose single test holds the run (and so the test environment lock) for about 5 s, and
// one that is over at once. Both start a stack: suites without services take no lock.
constexpr const char* k_slow_suite =
  "runner: command\nfixtures: [redis]\ncommands:\n  - {name: slow, run: [\"sleep\", \"5\"]}\n";
constexpr const char* k_fast_suite =
  "runner: command\nfixtures: [redis]\ncommands:\n  - {name: fast, run: [\"true\"]}\n";

class LockTest : public ::testing::Test
{
protected:
  LockTest()
  {
    m_project.write("suites/slow.yaml", k_slow_suite);
    m_project.write("suites/fast.yaml", k_fast_suite);
  }

  std::filesystem::path lock_dir() const
  {
    return m_project.root() / ".orchestrate" / "locks";
  }

  // Starts `orchestrate --suite slow` in the background.
  ChildProcess start_slow_run() const
  {
    ProcessOptions options;
    options.argv = {ORCHESTRATE_BINARY, "-C", m_project.root().string(), "--suite", "slow"};
    options.extra_environment["NO_COLOR"] = "1";
    options.capture_output = true;
    return ChildProcess(options);
  }

  // Waits (bounded) until someone holds the test environment lock; returns the holder.
  LockHolder wait_for_test_lock_holder() const
  {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& [env, holder] : lock_holders(lock_dir())) {
        if (env == "test" && holder.pid != 0) {
          return holder;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "nobody took the test environment lock within 30 s";
    return {};
  }

  // `orchestrate lock status -C DIR`, or with the folder first as with `git -C`:
  // `orchestrate -C DIR lock status`.
  testing::CliRun lock_status(bool folder_first = false) const
  {
    if (folder_first) {
      return run_orchestrate({"-C", m_project.root().string(), "lock", "status"});
    }
    return run_orchestrate({"lock", "status", "-C", m_project.root().string()});
  }

  ScratchProject m_project;
};

TEST_F(LockTest, SecondRunWaitsForTheHolderAndThenPasses)
{
  auto first = start_slow_run();
  const auto holder = wait_for_test_lock_holder();
  EXPECT_EQ(holder.pid, first.pid());

  const auto second = m_project.run({"--suite", "slow"});

  // The second run could only have passed after the first let go of the lock.
  const auto first_exit = first.poll();
  EXPECT_TRUE(first_exit.has_value()) << "the second run finished while the first still ran";
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("waiting for the test environment lock held by pid " +
                               std::to_string(first.pid())),
            std::string::npos)
    << second.output;
  const auto first_end = first.wait(Milliseconds(60'000));
  EXPECT_EQ(first_end.exit_code, 0) << first.output();
}

TEST_F(LockTest, SecondRunWithShortLockTimeoutFailsWithExitSixNamingTheHolder)
{
  auto first = start_slow_run();
  wait_for_test_lock_holder();

  const auto started = std::chrono::steady_clock::now();
  const auto second = m_project.run({"--suite", "slow", "--lock-timeout", "1s"});
  const auto elapsed = std::chrono::steady_clock::now() - started;

  EXPECT_EQ(second.exit_code, 6) << second.output;
  EXPECT_NE(second.output.find("test environment is busy"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find("pid " + std::to_string(first.pid())), std::string::npos)
    << second.output;
  EXPECT_NE(second.output.find("--suite slow"), std::string::npos) << second.output;
  // It gave up after its own timeout, not when the first run ended.
  EXPECT_LT(elapsed, std::chrono::seconds(4));
  EXPECT_FALSE(first.poll().has_value()) << "the first run ended before the second gave up";
  EXPECT_EQ(first.wait(Milliseconds(60'000)).exit_code, 0) << first.output();
}

TEST_F(LockTest, LockStatusShowsTheRunHoldingTheLockAndLaterThatNoneIsHeld)
{
  auto first = start_slow_run();
  wait_for_test_lock_holder();

  const auto held = lock_status(/*folder_first=*/true);
  EXPECT_EQ(first.wait(Milliseconds(60'000)).exit_code, 0) << first.output();
  const auto idle = lock_status();

  EXPECT_EQ(held.exit_code, 0) << held.output;
  EXPECT_NE(held.output.find("test: held by pid " + std::to_string(first.pid())),
            std::string::npos)
    << held.output;
  EXPECT_NE(held.output.find("--suite slow"), std::string::npos) << held.output;
  EXPECT_NE(held.output.find(" since "), std::string::npos) << held.output;
  EXPECT_EQ(idle.exit_code, 0) << idle.output;
  EXPECT_NE(idle.output.find("no environment lock is held"), std::string::npos) << idle.output;
}

TEST_F(LockTest, HeldDevLockDoesNotDelayATestRun)
{
  const auto dev_lock = EnvironmentLock::acquire(lock_dir(), "dev", Milliseconds(1000));

  const auto started = std::chrono::steady_clock::now();
  const auto test_run = m_project.run({"--suite", "fast", "--lock-timeout", "1s"});
  const auto elapsed = std::chrono::steady_clock::now() - started;
  const auto status = lock_status();

  EXPECT_EQ(test_run.exit_code, 0) << test_run.output;
  EXPECT_EQ(test_run.output.find("waiting for"), std::string::npos) << test_run.output;
  EXPECT_LT(elapsed, std::chrono::seconds(30));
  EXPECT_NE(status.output.find("dev: held by pid " + std::to_string(::getpid())),
            std::string::npos)
    << status.output;
}

}  // namespace
}  // namespace orchestrate
