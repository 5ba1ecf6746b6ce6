#include "locking/OwnerIdentity.hpp"
#include "process/ProcStat.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace orchestrate {
namespace {

TEST(OwnerIdentityTest, CurrentOwnerIsThisProcess)
{
  OwnerIdentity owner = current_owner();
  EXPECT_EQ(owner.pid, ::getpid());
  EXPECT_EQ(owner.host, current_host());
  EXPECT_FALSE(owner.host.empty());
  auto stat = read_proc_stat(::getpid());
  ASSERT_TRUE(stat);
  EXPECT_EQ(owner.start_ticks, stat->start_ticks);
  EXPECT_GT(owner.start_ticks, 0u);
}

TEST(OwnerIdentityTest, LabelRoundTrips)
{
  OwnerIdentity owner{"ci-runner-3", 4242, 123456789012ull};
  EXPECT_EQ(to_label(owner), "ci-runner-3:4242:123456789012");
  EXPECT_EQ(owner_from_label(to_label(owner)), owner);
}

TEST(OwnerIdentityTest, RejectsLabelsThatAreNotOwners)
{
  for (std::string label : {"", "host", "host:12", ":12:34", "host::34", "host:12:", "host:x:34",
                            "host:12:3x", "host:-5:34", "host:0:34", "host:12:-1"}) {
    EXPECT_FALSE(owner_from_label(label)) << label;
  }
}

TEST(OwnerIdentityTest, ThisProcessIsAlive)
{
  EXPECT_EQ(owner_state(current_owner()), OwnerState::k_alive);
}

TEST(OwnerIdentityTest, AProcessThatExitedIsDead)
{
  pid_t pid = ::fork();
  ASSERT_NE(pid, -1);
  if (pid == 0) {
    ::_exit(0);
  }
  OwnerIdentity owner = current_owner();
  owner.pid = pid;
  // Not reaped yet: a zombie has ended, so it is dead already.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (process_is_running(pid) && std::chrono::steady_clock::now() < deadline) {
    usleep(10000);
  }
  EXPECT_EQ(owner_state(owner), OwnerState::k_dead);
  ASSERT_EQ(::waitpid(pid, nullptr, 0), pid);
  EXPECT_EQ(owner_state(owner), OwnerState::k_dead);
}

TEST(OwnerIdentityTest, ARecycledPidIsDead)
{
  OwnerIdentity owner = current_owner();
  owner.start_ticks += 1;
  EXPECT_EQ(owner_state(owner), OwnerState::k_dead);
}

TEST(OwnerIdentityTest, AnOwnerOnAnotherHostIsNotJudged)
{
  OwnerIdentity owner = current_owner();
  owner.host += "-elsewhere";
  EXPECT_EQ(owner_state(owner), OwnerState::k_other_host);
}

}  // namespace
}  // namespace orchestrate
