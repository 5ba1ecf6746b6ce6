#include "reporting/Summary.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

// Expected lines are what Debian's pytest 7.2.1 printed (or its TerminalWriter.sep and
// format_session_duration returned) for the same counts.

// The run of test_pg.py with one test deselected.
const SummaryCounts k_every_pytest_part{.failed = 2, .passed = 3, .skipped = 1, .deselected = 1,
                                        .xfailed = 1, .xpassed = 1, .errors = 1};

TEST(FormatSummaryTest, UsesPytestsOrderAndWording)
{
  EXPECT_EQ(format_summary(k_every_pytest_part, Milliseconds{30}),
            "2 failed, 3 passed, 1 skipped, 1 deselected, 1 xfailed, 1 xpassed, 1 error in 0.03s");
}

TEST(FormatSummaryTest, PluralizesErrorsOnly)
{
  const SummaryCounts counts{.failed = 2, .passed = 2, .errors = 2};
  EXPECT_EQ(format_summary(counts, Milliseconds{20}), "2 failed, 2 passed, 2 errors in 0.02s");
}

TEST(FormatSummaryTest, AppendsFlakyRerunsAndNotRunAfterPytestsParts)
{
  const SummaryCounts counts{.failed = 1, .passed = 2, .skipped = 1, .deselected = 3, .xfailed = 1,
                             .xpassed = 1, .errors = 2, .flaky = 1, .reruns = 2, .not_run = 4};
  EXPECT_EQ(format_summary(counts, Milliseconds{1230}),
            "1 failed, 2 passed, 1 skipped, 3 deselected, 1 xfailed, 1 xpassed, 2 errors, 1 flaky, "
            "2 reruns, 4 not run in 1.23s");
}

TEST(FormatSummaryTest, SaysOneRerunInTheSingular)
{
  const SummaryCounts counts{.passed = 1, .flaky = 1, .reruns = 1};
  EXPECT_EQ(format_summary(counts, Milliseconds{500}), "1 passed, 1 flaky, 1 rerun in 0.50s");
}

TEST(FormatSummaryTest, LeavesOutZeroCounts)
{
  const SummaryCounts counts{.deselected = 4};
  EXPECT_EQ(format_summary(counts, Milliseconds{10}), "4 deselected in 0.01s");
}

TEST(FormatSummaryTest, SaysNoTestsRanWhenEverythingIsZero)
{
  EXPECT_EQ(format_summary(SummaryCounts{}, Milliseconds{10}), "no tests ran in 0.01s");
}

TEST(FormatSummaryTest, AddsTheClockTimeFromOneMinuteOn)
{
  const SummaryCounts counts{.passed = 1};
  EXPECT_EQ(format_summary(counts, Milliseconds{59'999}), "1 passed in 60.00s");
  EXPECT_EQ(format_summary(counts, Milliseconds{75'200}), "1 passed in 75.20s (0:01:15)");
  EXPECT_EQ(format_summary(counts, Milliseconds{90'061'500}),
            "1 passed in 90061.50s (1 day, 1:01:01)");
  EXPECT_EQ(format_summary(counts, Milliseconds{172'805'000}),
            "1 passed in 172805.00s (2 days, 0:00:05)");
}

TEST(FormatSummaryLineTest, CentresTheTextWithEqualsSignsLikePytest)
{
  EXPECT_EQ(format_summary_line(SummaryCounts{.passed = 1}, Milliseconds{10}),
            "============================== 1 passed in 0.01s ===============================");
  EXPECT_EQ(format_summary_line(SummaryCounts{.errors = 1}, Milliseconds{40}),
            "=============================== 1 error in 0.04s ===============================");
  EXPECT_EQ(format_summary_line(SummaryCounts{}, Milliseconds{0}),
            "============================ no tests ran in 0.00s =============================");
}

TEST(FormatSummaryLineTest, FillsExactlyTheWidth)
{
  const SummaryCounts counts{.failed = 1, .deselected = 3};
  const std::string line = format_summary_line(counts, Milliseconds{10});
  EXPECT_EQ(line,
            "======================= 1 failed, 3 deselected in 0.01s ========================");
  EXPECT_EQ(line.size(), 80u);
  EXPECT_EQ(format_summary_line(counts, Milliseconds{10}, 60).size(), 60u);
}

TEST(FormatSummaryLineTest, KeepsOneEqualsSignEachSideWhenTheTextIsTooWide)
{
  EXPECT_EQ(format_summary_line(k_every_pytest_part, Milliseconds{30}),
            "= 2 failed, 3 passed, 1 skipped, 1 deselected, 1 xfailed, 1 xpassed, 1 error in "
            "0.03s =");
  EXPECT_EQ(format_summary_line(SummaryCounts{.passed = 1}, Milliseconds{10}, 10),
            "= 1 passed in 0.01s =");
}

TEST(FormatSummaryLineTest, AnInterruptedRunSaysSoInPytestsInterruptedStyle)
{
  const std::string line = format_interrupted_line("SIGINT; 3 tests not run");
  EXPECT_EQ(line,
            "!!!!!!!!!!!!!!!!!!!!! Interrupted: SIGINT; 3 tests not run !!!!!!!!!!!!!!!!!!!!!");
  EXPECT_EQ(line.size(), 80u);
}

}  // namespace
}  // namespace orchestrate
