#include "core/FileText.hpp"
#include "process/AdoptedProcess.hpp"
#include "process/DetachedSpawn.hpp"
#include "process/EscapedProcesses.hpp"
#include "process/ProcStat.hpp"
#include "support/Eventually.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

namespace orchestrate {
namespace {


// A detached `sh -c script` with a waiter writing to <dir>/exit; returns the waiter's pid.
int spawn_shell(const TempDir& dir, const std::string& script,
                std::vector<std::string> environment = {})
{
  DetachedSpawn spawn;
  spawn.argv = {"/bin/sh", "-c", script};
  spawn.environment = std::move(environment);
  spawn.exit_status_file = dir.path() / "exit";
  return spawn_detached(spawn);
}

// A detached `sleep 30` carrying a new escape token, with its waiter; returns {waiter, token}.
std::pair<int, std::string> spawn_sleeper(const TempDir& dir)
{
  std::string token = new_process_token();
  const int waiter = spawn_shell(dir, "exec /bin/sleep 30",
                                 {"PATH=/usr/bin:/bin", "ORCHESTRATE_PROCESS_TOKEN=" + token});
  // Adopting checks that it leads its own session, which it does once it has called setsid; a
  // signal to the group reaches the program only once the waiter has started it.
  eventually(
    [waiter] {
      const auto stat = read_proc_stat(waiter);
      return stat && stat->process_group == waiter && running_group_members(waiter).size() == 2;
    },
    Milliseconds(5'000));
  return {waiter, token};
}

TEST(DetachedExitTest, ReadsAnExitCodeOrASignalOnlyOnceTheLineIsComplete)
{
  TempDir dir;
  const auto file = dir.path() / "exit";
  EXPECT_FALSE(read_detached_exit(file));
  write_file_atomically(file, "exit 3");
  EXPECT_FALSE(read_detached_exit(file));  // the waiter has not finished writing
  write_file_atomically(file, "exit 3\n");
  ASSERT_TRUE(read_detached_exit(file));
  EXPECT_EQ(read_detached_exit(file)->exit_code, 3);
  EXPECT_EQ(read_detached_exit(file)->signal, 0);
  write_file_atomically(file, "signal 9\n");
  EXPECT_EQ(read_detached_exit(file)->signal, 9);
  EXPECT_EQ(read_detached_exit(file)->exit_code, 137);
  write_file_atomically(file, "ended\n");
  EXPECT_FALSE(read_detached_exit(file));
}

TEST(DetachedSpawnTest, TheWaiterWritesHowTheProgramEndedAfterWeStoppedWatching)
{
  TempDir dir;
  spawn_shell(dir, "exit 5");
  ASSERT_TRUE(eventually([&] { return read_detached_exit(dir.path() / "exit").has_value(); },
                         Milliseconds(10'000)));
  EXPECT_EQ(read_detached_exit(dir.path() / "exit")->exit_code, 5);
}

TEST(DetachedSpawnTest, ThePassedSocketIsTheProgramsDescriptorThreeAndNothingElseIsInherited)
{
  TempDir dir;
  const auto path = dir.path() / "s.sock";
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, path.c_str());
  ASSERT_EQ(::bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  DetachedSpawn spawn;
  spawn.argv = {"/bin/sh", "-c",
                "test -S /proc/self/fd/3 || exit 7; test -e /proc/self/fd/4 && exit 8; exit 0"};
  spawn.passed_fd = listener;
  spawn.exit_status_file = dir.path() / "exit";
  spawn_detached(spawn);
  ::close(listener);
  ASSERT_TRUE(eventually([&] { return read_detached_exit(dir.path() / "exit").has_value(); },
                         Milliseconds(10'000)));
  EXPECT_EQ(read_detached_exit(dir.path() / "exit")->exit_code, 0);
}

TEST(AdoptedProcessTest, SeesTheEndAndTheSignalOfAProcessAnotherRunStarted)
{
  TempDir dir;
  const auto [waiter, token] = spawn_sleeper(dir);
  const auto stat = read_proc_stat(waiter);
  ASSERT_TRUE(stat);
  auto adopted = AdoptedProcess::adopt(waiter, stat->start_ticks, dir.path() / "exit", token);
  ASSERT_TRUE(adopted);
  EXPECT_FALSE(adopted->poll());
  adopted->stop(Milliseconds(2'000));
  const auto exit = adopted->poll();
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->signal, SIGTERM);
  EXPECT_TRUE(processes_with_token(token).empty());
}

TEST(AdoptedProcessTest, RefusesAProcessThatIsNotTheOneParked)
{
  TempDir dir;
  const auto [waiter, token] = spawn_sleeper(dir);
  const auto stat = read_proc_stat(waiter);
  ASSERT_TRUE(stat);
  // Another start time: the pid was reused by someone else.
  EXPECT_FALSE(AdoptedProcess::adopt(waiter, stat->start_ticks + 1, dir.path() / "exit", token));
  auto adopted = AdoptedProcess::adopt(waiter, stat->start_ticks, dir.path() / "exit", token);
  ASSERT_TRUE(adopted);  // the real one, stopped by its destructor
}

}  // namespace
}  // namespace orchestrate
