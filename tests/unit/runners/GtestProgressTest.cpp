#include "runners/GtestProgress.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

using Clock = GtestProgress::Clock;

// Verbatim console output of a GoogleTest 1.12 binary (Debian 12's libgtest-dev): a pass with
// output, a failure, a skip and a value-parameterized pair, one of which fails.
constexpr const char* k_complete_run = R"(Running main() from ./googletest/src/gtest_main.cc
Note: Google Test filter = -Shop.Aborts
[==========] Running 5 tests from 2 test suites.
[----------] Global test environment set-up.
[----------] 3 tests from Shop
[ RUN      ] Shop.Passes
talking to redis
[       OK ] Shop.Passes (0 ms)
[ RUN      ] Shop.Fails
p.cpp:4: Failure
Expected equality of these values:
  1 + 1
    Which is: 2
  3
deliberate
[  FAILED  ] Shop.Fails (7 ms)
[ RUN      ] Shop.Skips
p.cpp:5: Skipped
no redis here
[  SKIPPED ] Shop.Skips (0 ms)
[----------] 3 tests from Shop (0 ms total)

[----------] 2 tests from Cents/Price
[ RUN      ] Cents/Price.IsPositive/0
[       OK ] Cents/Price.IsPositive/0 (0 ms)
[ RUN      ] Cents/Price.IsPositive/1
p.cpp:7: Failure
Expected: (GetParam()) > (0), actual: -1 vs 0
[  FAILED  ] Cents/Price.IsPositive/1, where GetParam() = -1 (0 ms)
[----------] 2 tests from Cents/Price (0 ms total)

[----------] Global test environment tear-down
[==========] 5 tests from 2 test suites ran. (0 ms total)
[  PASSED  ] 2 tests.
[  SKIPPED ] 1 test, listed below:
[  SKIPPED ] Shop.Skips
[  FAILED  ] 2 tests, listed below:
[  FAILED  ] Shop.Fails
[  FAILED  ] Cents/Price.IsPositive/1, where GetParam() = -1

 2 FAILED TESTS
)";

// The same binary killed by std::abort() in its third test.
constexpr const char* k_crashed_run = R"(Running main() from ./googletest/src/gtest_main.cc
Note: Google Test filter = Shop.Passes:Shop.Aborts:Shop.Fails
[==========] Running 3 tests from 1 test suite.
[----------] Global test environment set-up.
[----------] 3 tests from Shop
[ RUN      ] Shop.Passes
talking to redis
[       OK ] Shop.Passes (0 ms)
[ RUN      ] Shop.Fails
p.cpp:4: Failure
Expected equality of these values:
  1 + 1
    Which is: 2
  3
deliberate
[  FAILED  ] Shop.Fails (0 ms)
[ RUN      ] Shop.Aborts
about to abort
)";

TEST(GtestProgressTest, CompleteRunGivesEveryTestItsOutcomeAndNothingRuns)
{
  GtestProgress progress(Clock::now());
  progress.feed(k_complete_run, Clock::now());

  const auto& finished = progress.finished();
  ASSERT_EQ(finished.size(), 5u);
  EXPECT_EQ(finished[0].id, "Shop.Passes");
  EXPECT_EQ(finished[0].outcome, Outcome::k_passed);
  EXPECT_EQ(finished[1].id, "Shop.Fails");
  EXPECT_EQ(finished[1].outcome, Outcome::k_failed);
  EXPECT_EQ(finished[1].duration, Milliseconds(7));
  EXPECT_EQ(finished[1].message, "p.cpp:4: Failure");
  EXPECT_NE(finished[1].details.find("deliberate"), std::string::npos);
  EXPECT_EQ(finished[2].outcome, Outcome::k_skipped);
  EXPECT_EQ(finished[4].id, "Cents/Price.IsPositive/1");
  EXPECT_EQ(finished[4].classname, "Cents/Price");
  EXPECT_EQ(finished[4].name, "IsPositive/1");
  EXPECT_EQ(finished[4].outcome, Outcome::k_failed);
  EXPECT_EQ(progress.running(), nullptr);
}

TEST(GtestProgressTest, CrashedRunLeavesTheCrashingTestRunningWithItsOutput)
{
  GtestProgress progress(Clock::now());
  progress.feed(k_crashed_run, Clock::now());

  ASSERT_NE(progress.running(), nullptr);
  EXPECT_EQ(*progress.running(), "Shop.Aborts");
  EXPECT_EQ(progress.running_output(), "about to abort\n");
  ASSERT_EQ(progress.finished().size(), 2u);
  EXPECT_EQ(progress.finished()[1].outcome, Outcome::k_failed);
}

TEST(GtestProgressTest, LineSplitAcrossReadsIsReadWhenItsNewlineArrives)
{
  const auto started = Clock::now();
  GtestProgress progress(started);
  const auto later = started + std::chrono::seconds(3);

  progress.feed("[ RUN      ] Shop.Pa", started);
  EXPECT_EQ(progress.running(), nullptr);
  EXPECT_EQ(progress.last_change(), started);
  progress.feed("sses\n", later);

  ASSERT_NE(progress.running(), nullptr);
  EXPECT_EQ(*progress.running(), "Shop.Passes");
  EXPECT_EQ(progress.running_since(), later);
  EXPECT_EQ(progress.last_change(), later);
}

TEST(GtestProgressTest, ColouredTagsAreRecognised)
{
  GtestProgress progress(Clock::now());
  progress.feed("\x1b[0;32m[ RUN      ] \x1b[mShop.Passes\ntalking to redis\n"
                "\x1b[0;32m[       OK ] \x1b[mShop.Passes (0 ms)\n",
                Clock::now());

  ASSERT_EQ(progress.finished().size(), 1u);
  EXPECT_EQ(progress.finished()[0].outcome, Outcome::k_passed);
}

TEST(GtestProgressTest, EndLineOfAnotherTestDoesNotEndTheRunningOne)
{
  GtestProgress progress(Clock::now());
  progress.feed("[ RUN      ] Shop.Pass\n[       OK ] Shop.Passes (0 ms)\n", Clock::now());

  ASSERT_NE(progress.running(), nullptr);
  EXPECT_EQ(*progress.running(), "Shop.Pass");
  EXPECT_TRUE(progress.finished().empty());
}

TEST(GtestProgressTest, RunningOutputKeepsOnlyTheTailOfAVeryChattyTest)
{
  GtestProgress progress(Clock::now());
  progress.feed("[ RUN      ] Shop.Chatty\n", Clock::now());
  const std::string line(1023, 'x');
  for (int i = 0; i < 300; ++i) {
    progress.feed(line + "\n", Clock::now());
  }
  progress.feed("the last words\n", Clock::now());

  EXPECT_LE(progress.running_output().size(), 128u * 1024);
  EXPECT_GE(progress.running_output().size(), 64u * 1024);
  EXPECT_EQ(progress.running_output().substr(progress.running_output().size() - 15),
            "the last words\n");
}

}  // namespace
}  // namespace orchestrate
