#include "process/OwnCpuTime.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

namespace orchestrate {
namespace {

// Spins for `duration` of wall time; the compiler cannot drop the loop.
void spin_for(std::chrono::milliseconds duration)
{
  volatile unsigned long sink = 0;
  const auto end = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < end) {
    sink = sink + 1;
  }
}

TEST(OwnCpuTimeTest, GrowsWhileThisProcessComputes)
{
  const auto before = own_cpu_time();
  spin_for(std::chrono::milliseconds(200));
  // On a loaded machine the spin may get less than its wall time; it gets some.
  EXPECT_GT(own_cpu_time(), before);
}

TEST(OwnCpuTimeTest, LeavesOutWhatAChildComputes)
{
  const auto before = own_cpu_time();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    spin_for(std::chrono::milliseconds(400));
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  // The waiting parent used next to nothing; the child's 400 ms are not ours.
  EXPECT_LT(own_cpu_time() - before, Milliseconds{200});
}

}  // namespace
}  // namespace orchestrate
