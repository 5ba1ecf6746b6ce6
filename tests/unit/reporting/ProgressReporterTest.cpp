#include "reporting/ProgressReporter.hpp"
#include "reporting/Summary.hpp"
#include "TerminalScreen.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

namespace orchestrate {
namespace {

// A FILE* in memory-backed temp storage whose whole content the test reads back.
class CapturedOutput
{
public:
  CapturedOutput() : m_file(std::tmpfile(), &std::fclose)
  {
    if (!m_file) {
      throw std::runtime_error("tmpfile failed");
    }
  }

  std::FILE* file() const
  {
    return m_file.get();
  }

  std::string text() const
  {
    std::fflush(m_file.get());
    std::rewind(m_file.get());
    std::string text;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, m_file.get())) > 0;) {
      text.append(buffer, n);
    }
    return text;
  }

private:
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> m_file;
};

TestResult result(const std::string& id, int shard, Outcome outcome)
{
  TestResult result;
  result.id = id;
  result.shard = shard;
  result.outcome = outcome;
  return result;
}

// Drives a small run through every event the reporter has.
void report_small_run(ProgressReporter& reporter)
{
  reporter.message("memory budget note");
  reporter.start("unit", 3, 1, 2, "/tmp/run");
  reporter.shard_opening(1);
  reporter.shard_opening(2);
  reporter.shard_failed(2, "stack never became ready\nlast log lines");
  reporter.batch_started(1, 2, "t.py::test_a");
  reporter.test_finished(result("t.py::test_a", 1, Outcome::k_passed));
  reporter.test_finished(result("t.py::test_b", 1, Outcome::k_failed));
  reporter.shard_tearing_down(1);
  reporter.shard_finished(1);
  reporter.shard_finished(2);
  reporter.failures({result("t.py::test_b", 1, Outcome::k_failed)});
  reporter.message("peak memory note");
  reporter.summary(SummaryCounts{.failed = 1, .passed = 1, .deselected = 1}, Milliseconds(1500));
}

TEST(ProgressReporterTest, LinesStyleWritesPytestLikeLinesAndIgnoresShardEvents)
{
  CapturedOutput out;
  {
    ProgressReporter reporter(out.file(), Verbosity::k_normal, false, ProgressStyle::k_lines);
    report_small_run(reporter);
  }
  EXPECT_EQ(out.text(),
            "memory budget note\n"
            "====================== test session starts (orchestrate) =======================\n"
            "suite: unit, collected 3 items / 1 deselected / 2 selected, 2 shards\n"
            "run directory: /tmp/run\n"
            "\n"
            "[shard 2] ERROR\n"
            "stack never became ready\n"
            "last log lines\n"
            "t.py::test_a PASSED [ 50%]\n"
            "t.py::test_b FAILED [100%]\n"
            "\n"
            "=================================== FAILURES ===================================\n"
            "_________________________________ t.py::test_b _________________________________\n"
            "(shard 1)\n"
            "peak memory note\n" +
              format_summary_line(SummaryCounts{.failed = 1, .passed = 1, .deselected = 1},
                                  Milliseconds(1500)) +
              "\n");
}

TEST(ProgressReporterTest, LiveStyleKeepsFailuresAboveTheBlockAndEndsWithTheSummaryLine)
{
  CapturedOutput out;
  {
    ProgressReporter reporter(out.file(), Verbosity::k_normal, false, ProgressStyle::k_live);
    report_small_run(reporter);
  }
  const auto text = out.text();
  const auto failure_line = text.find("t.py::test_b FAILED [100%]\n");
  const auto shard_error = text.find("[shard 2] ERROR\nstack never became ready\n");
  const auto final_block = text.rfind("\033[2Kshard 1  done: 1 passed, 1 failed\n");
  const auto failures = text.find("=== FAILURES ===");
  ASSERT_NE(failure_line, std::string::npos) << text;
  ASSERT_NE(shard_error, std::string::npos) << text;
  ASSERT_NE(final_block, std::string::npos) << text;
  ASSERT_NE(failures, std::string::npos) << text;
  EXPECT_LT(failure_line, final_block);
  EXPECT_LT(shard_error, final_block);
  EXPECT_LT(final_block, failures);
  EXPECT_NE(text.find("\033[2Kshard 2  error: stack never became ready\n", final_block),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("\033[2K[100%] 2 of 2 tests: 1 passed, 1 failed, 0 skipped in ",
                      final_block),
            std::string::npos)
    << text;
  // Passes are counted in the block, not printed as lines.
  EXPECT_EQ(text.find("t.py::test_a PASSED"), std::string::npos) << text;
  // Nothing moves the cursor up after the final block: the failure sections stay as printed.
  EXPECT_EQ(text.find("\033[", failures), std::string::npos) << text;
  const auto summary =
    format_summary_line(SummaryCounts{.failed = 1, .passed = 1, .deselected = 1},
                        Milliseconds(1500)) + "\n";
  ASSERT_GE(text.size(), summary.size());
  EXPECT_EQ(text.substr(text.size() - summary.size()), summary);
}

TEST(ProgressReporterTest, LiveStyleLeavesPermanentLinesThenTheFinalBlockOnScreen)
{
  CapturedOutput out;
  {
    ProgressReporter reporter(out.file(), Verbosity::k_normal, false, ProgressStyle::k_live);
    report_small_run(reporter);
  }
  testing::TerminalScreen screen;
  screen.write(out.text());
  auto lines = screen.lines();
  ASSERT_EQ(lines.size(), 18u) << out.text();
  // The clock in the overall line is whatever the run took.
  const std::string overall = "[100%] 2 of 2 tests: 1 passed, 1 failed, 0 skipped in ";
  EXPECT_EQ(lines[11].substr(0, overall.size()), overall);
  lines[11] = overall;
  EXPECT_EQ(lines, (std::vector<std::string>{
                     "memory budget note",
                     "====================== test session starts (orchestrate) ===================="
                     "===",
                     "suite: unit, collected 3 items / 1 deselected / 2 selected, 2 shards",
                     "run directory: /tmp/run",
                     "",
                     "[shard 2] ERROR",
                     "stack never became ready",
                     "last log lines",
                     "t.py::test_b FAILED [100%]",
                     "shard 1  done: 1 passed, 1 failed",
                     "shard 2  error: stack never became ready",
                     overall,
                     "",
                     "=================================== FAILURES ================================="
                     "==",
                     "_________________________________ t.py::test_b _______________________________"
                     "__",
                     "(shard 1)",
                     "peak memory note",
                     format_summary_line(SummaryCounts{.failed = 1, .passed = 1, .deselected = 1},
                                         Milliseconds(1500)),
                   }));
}

TEST(ProgressReporterTest, LiveStyleShowsAShardThatStartedBeforeTheTestsWereKnown)
{
  CapturedOutput out;
  {
    ProgressReporter reporter(out.file(), Verbosity::k_quiet, false, ProgressStyle::k_live);
    reporter.shard_opening(1);  // opened early, while collecting
    reporter.start("unit", 4, 0, 2, "/tmp/run");
    reporter.failures({});
  }
  testing::TerminalScreen screen;
  screen.write(out.text());
  const auto lines = screen.lines();
  ASSERT_EQ(lines.size(), 3u) << out.text();
  EXPECT_EQ(lines[0], "shard 1  starting stack...");
  EXPECT_EQ(lines[1], "shard 2  waiting");
}

TEST(ProgressReporterTest, LiveStyleUnderVerboseKeepsALineForEveryTest)
{
  CapturedOutput out;
  {
    ProgressReporter reporter(out.file(), Verbosity::k_verbose, false, ProgressStyle::k_live);
    report_small_run(reporter);
  }
  EXPECT_NE(out.text().find("t.py::test_a PASSED [ 50%]\n"), std::string::npos) << out.text();
}

TEST(ProgressReporterTest, LiveStyleIsPlainLinesUntilStart)
{
  CapturedOutput out;
  ProgressReporter reporter(out.file(), Verbosity::k_normal, false, ProgressStyle::k_live);
  reporter.message("stale sweep note");
  EXPECT_EQ(out.text(), "stale sweep note\n");
}

TEST(ProgressReporterTest, LiveStyleWithoutTestsPrintsOnlyTheSummary)
{
  CapturedOutput out;
  {
    ProgressReporter reporter(out.file(), Verbosity::k_normal, false, ProgressStyle::k_live);
    reporter.summary(SummaryCounts{.deselected = 2}, Milliseconds(10));
  }
  EXPECT_EQ(out.text(), format_summary_line(SummaryCounts{.deselected = 2}, Milliseconds(10)) +
                          "\n");
}

TEST(ResolveProgressStyleTest, AutoIsLinesWhenTheOutputIsNoTerminal)
{
  CapturedOutput out;
  EXPECT_EQ(resolve_progress_style(ProgressStyle::k_auto, out.file(), Verbosity::k_normal),
            ProgressStyle::k_lines);
}

TEST(ResolveProgressStyleTest, AnExplicitStyleWins)
{
  CapturedOutput out;
  EXPECT_EQ(resolve_progress_style(ProgressStyle::k_live, out.file(), Verbosity::k_quiet),
            ProgressStyle::k_live);
  EXPECT_EQ(resolve_progress_style(ProgressStyle::k_lines, out.file(), Verbosity::k_normal),
            ProgressStyle::k_lines);
}

}  // namespace
}  // namespace orchestrate
