#include "core/Error.hpp"
#include "locking/EnvironmentLock.hpp"
#include "process/ChildProcess.hpp"
#include "process/SignalState.hpp"
#include "support/TempDir.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>

namespace orchestrate {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class EnvironmentLockTest : public testing::Test
{
protected:
  void TearDown() override
  {
    kill_holder();
    reset_interrupts();
  }

  // The Error that acquire() throws; fails the test if it takes the lock.
  std::optional<Error> acquire_failure(const std::string& env, milliseconds timeout)
  {
    try {
      EnvironmentLock::acquire(m_lock_dir, env, timeout);
    } catch (const Error& error) {
      return error;
    }
    ADD_FAILURE() << "expected acquire(" << env << ") to fail";
    return std::nullopt;
  }

  // Forks a process that takes the `env` lock and sleeps holding it; returns once it holds it.
  void fork_holder(const std::string& env)
  {
    Fd ready_read;
    Fd ready_write;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    ready_read = Fd(fds[0]);
    ready_write = Fd(fds[1]);
    m_holder_pid = ::fork();
    ASSERT_NE(m_holder_pid, -1);
    if (m_holder_pid == 0) {
      try {
        auto lock = EnvironmentLock::acquire(m_lock_dir, env, milliseconds(0));
        char byte = 'x';
        if (::write(ready_write.get(), &byte, 1) == 1) {
          ::pause();
        }
      } catch (...) {
      }
      ::_exit(1);
    }
    ready_write.close();
    char byte = 0;
    ASSERT_EQ(::read(ready_read.get(), &byte, 1), 1) << "the holder could not take the lock";
  }

  void kill_holder()
  {
    if (m_holder_pid > 0) {
      ::kill(m_holder_pid, SIGKILL);
      ::waitpid(m_holder_pid, nullptr, 0);
      m_holder_pid = 0;
    }
  }

  TempDir m_temp;
  const std::filesystem::path& m_dir = m_temp.path();
  // Not created yet: acquire() must create it.
  const std::filesystem::path m_lock_dir = m_dir / "locks";
  pid_t m_holder_pid = 0;
};

TEST_F(EnvironmentLockTest, CreatesTheLockDirAndRecordsThisProcessAsHolder)
{
  auto lock = EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(0));
  EXPECT_EQ(lock.environment(), "test");
  EXPECT_EQ(lock.path(), m_lock_dir / "test.lock");
  auto holders = lock_holders(m_lock_dir);
  ASSERT_EQ(holders.size(), 1u);
  EXPECT_EQ(holders[0].first, "test");
  const LockHolder& holder = holders[0].second;
  EXPECT_EQ(holder.pid, ::getpid());
  EXPECT_FALSE(holder.host.empty());
  EXPECT_NE(holder.command.find("unit_locking"), std::string::npos) << holder.command;
  EXPECT_EQ(holder.since.size(), std::string("2024-05-01T12:00:00Z").size()) << holder.since;
}

TEST_F(EnvironmentLockTest, SecondAcquireTimesOutAsBusyNamingTheHolder)
{
  fork_holder("test");
  auto start = Clock::now();
  auto error = acquire_failure("test", milliseconds(300));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->exit_code(), ExitCode::k_environment_busy);
  std::string message = error->what();
  EXPECT_NE(message.find("test environment"), std::string::npos) << message;
  EXPECT_NE(message.find("pid " + std::to_string(m_holder_pid)), std::string::npos) << message;
  EXPECT_NE(message.find("unit_locking"), std::string::npos) << message;
  EXPECT_NE(message.find("0.30s"), std::string::npos) << message;
  EXPECT_GE(Clock::now() - start, milliseconds(300));
}

TEST_F(EnvironmentLockTest, SharedHoldersGoSideBySideAndKeepAnExclusiveOneWaiting)
{
  // flock locks belong to open file descriptions: two acquires in one process compete as two
  // processes would.
  auto first = EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(0), {}, true);
  auto second = EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(0), {}, true);
  EXPECT_EQ(lock_holders(m_lock_dir).size(), 1u);  // shared holders count as held
  EXPECT_THROW(EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(0)), Error);
}

TEST_F(EnvironmentLockTest, EngineLocksOfOneEnvironmentAreApartPerEngine)
{
  auto on_a = EnvironmentLock::acquire_for_engine(m_lock_dir, "test", "engine-a", milliseconds(0),
                                                  {}, false);
  EXPECT_EQ(on_a.path(), m_lock_dir / "test@engine-a.lock");
  // Another engine's lock of the same environment is free; the same engine's is not.
  auto on_b = EnvironmentLock::acquire_for_engine(m_lock_dir, "test", "engine-b", milliseconds(0),
                                                  {}, false);
  EXPECT_THROW(EnvironmentLock::acquire_for_engine(m_lock_dir, "test", "engine-a",
                                                   milliseconds(0), {}, false),
               Error);
  EXPECT_THROW(EnvironmentLock::acquire_for_engine(m_lock_dir, "test", "../x", milliseconds(0),
                                                   {}, false),
               UsageError);
}

TEST_F(EnvironmentLockTest, AnExclusiveHolderKeepsASharedOneWaiting)
{
  auto exclusive = EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(0));
  EXPECT_THROW(EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(0), {}, true), Error);
}

TEST_F(EnvironmentLockTest, CallsOnWaitOnceWithTheHolder)
{
  fork_holder("test");
  int calls = 0;
  LockHolder seen;
  EXPECT_THROW(EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(350),
                                        [&](const LockHolder& holder) {
                                          ++calls;
                                          seen = holder;
                                        }),
               Error);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen.pid, m_holder_pid);
}

TEST_F(EnvironmentLockTest, IsFreeAsSoonAsTheHolderIsKilled)
{
  fork_holder("test");
  kill_holder();
  auto start = Clock::now();
  auto lock = EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(5000));
  EXPECT_LT(Clock::now() - start, milliseconds(500));
}

TEST_F(EnvironmentLockTest, WaitsForAHolderThatLetsGo)
{
  fork_holder("test");
  std::thread killer([this] {
    std::this_thread::sleep_for(milliseconds(300));
    ::kill(m_holder_pid, SIGKILL);
  });
  auto start = Clock::now();
  auto lock = EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(5000));
  killer.join();
  EXPECT_GE(Clock::now() - start, milliseconds(250));
  EXPECT_LT(Clock::now() - start, milliseconds(2000));
}

TEST_F(EnvironmentLockTest, ALockHeldByAFlockCommandIsBusyUntilItEnds)
{
  std::filesystem::create_directories(m_lock_dir);
  ProcessOptions options;
  options.argv = {"flock", (m_lock_dir / "test.lock").string(), "sleep", "30"};
  ChildProcess holder(options);
  auto deadline = Clock::now() + milliseconds(5000);
  while (lock_holders(m_lock_dir).empty() && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_EQ(lock_holders(m_lock_dir).size(), 1u);
  auto error = acquire_failure("test", milliseconds(100));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->exit_code(), ExitCode::k_environment_busy);
  EXPECT_NE(std::string(error->what()).find("did not record"), std::string::npos) << error->what();
  holder.stop(milliseconds(1000));
  EXPECT_NO_THROW(EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(0)));
}

TEST_F(EnvironmentLockTest, IsBusyForAnotherAcquireInTheSameProcess)
{
  auto lock = EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(0));
  auto error = acquire_failure("test", milliseconds(0));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->exit_code(), ExitCode::k_environment_busy);
  EXPECT_NE(std::string(error->what()).find("pid " + std::to_string(::getpid())),
            std::string::npos);
}

TEST_F(EnvironmentLockTest, DevAndTestLocksAreIndependent)
{
  fork_holder("test");
  auto dev = EnvironmentLock::acquire(m_lock_dir, "dev", milliseconds(0));
  auto holders = lock_holders(m_lock_dir);
  ASSERT_EQ(holders.size(), 2u);
  EXPECT_EQ(holders[0].first, "dev");
  EXPECT_EQ(holders[0].second.pid, ::getpid());
  EXPECT_EQ(holders[1].first, "test");
  EXPECT_EQ(holders[1].second.pid, m_holder_pid);
}

TEST_F(EnvironmentLockTest, LockHoldersListsOnlyLocksHeldNow)
{
  EXPECT_TRUE(lock_holders(m_lock_dir).empty());
  { auto released = EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(0)); }
  auto dev = EnvironmentLock::acquire(m_lock_dir, "dev", milliseconds(0));
  auto holders = lock_holders(m_lock_dir);
  ASSERT_EQ(holders.size(), 1u);
  EXPECT_EQ(holders[0].first, "dev");
  // Reading did not take the lock away from its holder.
  EXPECT_TRUE(acquire_failure("dev", milliseconds(0)));
}

TEST_F(EnvironmentLockTest, MovedLockIsReleasedOnceByItsLastOwner)
{
  auto first = EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(0));
  EnvironmentLock moved = std::move(first);
  EXPECT_EQ(lock_holders(m_lock_dir).size(), 1u);
  moved = EnvironmentLock::acquire(m_lock_dir, "dev", milliseconds(0));
  auto holders = lock_holders(m_lock_dir);
  ASSERT_EQ(holders.size(), 1u);
  EXPECT_EQ(holders[0].first, "dev");
}

TEST_F(EnvironmentLockTest, AChildOutlivingTheHolderDoesNotKeepTheLock)
{
  ProcessOptions options;
  options.argv = {"sleep", "30"};
  std::optional<ChildProcess> child;
  {
    auto lock = EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(0));
    child.emplace(options);
  }
  EXPECT_NO_THROW(EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(0)));
}

TEST_F(EnvironmentLockTest, InterruptStopsTheWait)
{
  fork_holder("test");
  simulate_interrupts(1, SIGINT);
  auto start = Clock::now();
  auto error = acquire_failure("test", milliseconds(10000));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->exit_code(), ExitCode::k_interrupted);
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
}

TEST_F(EnvironmentLockTest, RejectsEnvironmentNamesThatAreNotPlainNames)
{
  for (std::string env : {"", "../etc", ".hidden", "a/b", "with space"}) {
    EXPECT_THROW(EnvironmentLock::acquire(m_lock_dir, env, milliseconds(0)), UsageError) << env;
  }
  EXPECT_FALSE(std::filesystem::exists(m_dir / "etc.lock"));
}

TEST_F(EnvironmentLockTest, ASymlinkLockFileIsRefusedAndItsTargetLeftUntouched)
{
  // Before: open(O_CREAT) followed the link and the holder info truncated the victim.
  std::filesystem::create_directories(m_lock_dir);
  const auto victim = m_dir / "victim.txt";
  { std::ofstream(victim) << "precious\n"; }
  std::filesystem::create_symlink(victim, m_lock_dir / "test.lock");

  auto error = acquire_failure("test", milliseconds(0));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->exit_code(), ExitCode::k_usage_error);
  const std::string message = error->what();
  EXPECT_NE(message.find((m_lock_dir / "test.lock").string()), std::string::npos) << message;
  EXPECT_NE(message.find("symbolic link"), std::string::npos) << message;
  std::ifstream victim_file(victim);
  std::string content((std::istreambuf_iterator<char>(victim_file)), {});
  EXPECT_EQ(content, "precious\n");
}

TEST_F(EnvironmentLockTest, ADanglingSymlinkLockFileCreatesNothingAtItsTarget)
{
  std::filesystem::create_directories(m_lock_dir);
  std::filesystem::create_symlink(m_dir / "created-by-us", m_lock_dir / "test.lock");
  EXPECT_TRUE(acquire_failure("test", milliseconds(0)));
  EXPECT_FALSE(std::filesystem::exists(m_dir / "created-by-us"));
}

TEST_F(EnvironmentLockTest, ALockFileOwnedByAnotherUserIsRefused)
{
  if (::geteuid() != 0) {
    GTEST_SKIP() << "needs root to give a file away";
  }
  std::filesystem::create_directories(m_lock_dir);
  const auto path = m_lock_dir / "test.lock";
  { std::ofstream(path) << "someone else's\n"; }
  const passwd* nobody = ::getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  ASSERT_EQ(::chown(path.c_str(), nobody->pw_uid, nobody->pw_gid), 0);

  auto error = acquire_failure("test", milliseconds(0));
  ASSERT_TRUE(error);
  const std::string message = error->what();
  EXPECT_NE(message.find("owned by uid " + std::to_string(nobody->pw_uid)), std::string::npos)
    << message;
  EXPECT_EQ(std::filesystem::file_size(path), std::string("someone else's\n").size());
}

TEST_F(EnvironmentLockTest, ALockFileThatIsNotARegularFileIsRefused)
{
  std::filesystem::create_directories(m_lock_dir);
  ASSERT_EQ(::mkfifo((m_lock_dir / "test.lock").c_str(), 0600), 0);
  auto error = acquire_failure("test", milliseconds(0));
  ASSERT_TRUE(error);
  EXPECT_NE(std::string(error->what()).find("not a regular file"), std::string::npos)
    << error->what();
}

TEST_F(EnvironmentLockTest, LockHoldersLeavesTheReapersLocksOut)
{
  // Before: `lock status` listed a running reaper's lock as an environment "reaper-<run id>".
  std::filesystem::create_directories(m_lock_dir);
  Fd reaper_lock(::open((m_lock_dir / "reaper-20260101-abc.lock").c_str(),
                        O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  ASSERT_TRUE(reaper_lock);
  ASSERT_EQ(::flock(reaper_lock.get(), LOCK_EX), 0);
  auto test = EnvironmentLock::acquire(m_lock_dir, "test", milliseconds(0));
  auto holders = lock_holders(m_lock_dir);
  ASSERT_EQ(holders.size(), 1u);
  EXPECT_EQ(holders[0].first, "test");
  EXPECT_THROW(EnvironmentLock::acquire(m_lock_dir, "reaper-x", milliseconds(0)), UsageError);
}

}  // namespace
}  // namespace orchestrate
