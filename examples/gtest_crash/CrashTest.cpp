// Example GoogleTest binary for orchestrate's `gtest` runner: one test aborts the whole process
// (as a segfault would), between tests that pass. The runner must charge the crash to that test
// alone and still report the others.

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdlib>

namespace orchestrate::examples {
namespace {

TEST(CrashExample, PassesBeforeTheCrash)
{
  EXPECT_EQ(1 + 1, 2);
}

TEST(CrashExample, AbortsTheWholeBinary)
{
  // No core file in the project root: the crash is the point, not its dump.
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  std::abort();
}

TEST(CrashExample, PassesAfterTheCrash)
{
  EXPECT_EQ(6 * 7, 42);
}

TEST(CrashExample, FailsOnPurpose)
{
  EXPECT_EQ(1 + 1, 3) << "a deliberate failure, reported as such next to the crash";
}

}  // namespace
}  // namespace orchestrate::examples
