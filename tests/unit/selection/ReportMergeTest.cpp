#include "selection/ReportMerge.hpp"

#include "core/Error.hpp"
#include "reporting/JunitXml.hpp"
#include "support/TempDir.hpp"
#include "unit/reporting/JunitSamples.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace orchestrate {
namespace {

using std::chrono::milliseconds;

TestResult result(const std::string& id, Outcome outcome, int shard)
{
  TestResult made;
  made.id = id;
  made.outcome = outcome;
  made.shard = shard;
  made.duration = milliseconds(100);
  return made;
}

ShardTiming shard_timing(int shard, const std::string& project)
{
  ShardTiming timing;
  timing.shard = shard;
  timing.project = project;
  timing.stack_up = milliseconds(2000);
  return timing;
}

// One CI machine's report: `tests` run on its shards 1 and 2.
RunReport machine_report(const std::string& run_id, std::vector<TestResult> tests)
{
  RunReport report;
  report.run_id = run_id;
  report.suite = "integration";
  report.environment = "test";
  report.shards = {shard_timing(1, "shop-test-" + run_id + "-s1"),
                   shard_timing(2, "shop-test-" + run_id + "-s2")};
  report.tests = std::move(tests);
  report.counts = count_outcomes(report.tests);
  const bool failed = report.counts.failed > 0 || report.counts.errors > 0;
  report.exit_code = failed ? ExitCode::k_tests_failed : ExitCode::k_all_passed;
  return report;
}

void write_text(const std::filesystem::path& file, const std::string& text)
{
  std::ofstream(file) << text;
}

TEST(ReportMergeTest, CombinesMachinesCountsTestsAndTimes)
{
  RunReport first = machine_report("r1", {result("a.py::test_1", Outcome::k_passed, 1),
                                          result("a.py::test_2", Outcome::k_failed, 2)});
  first.wall_time = milliseconds(50'000);
  first.time_to_first_test = milliseconds(3000);
  first.peak_memory_bytes = 300;
  first.counts.deselected = 2;
  RunReport second = machine_report("r2", {result("b.py::test_3", Outcome::k_skipped, 1),
                                           result("b.py::test_4", Outcome::k_passed, 2)});
  second.wall_time = milliseconds(60'000);
  second.time_to_first_test = milliseconds(2500);
  second.peak_memory_bytes = 200;
  second.counts.deselected = 3;
  RunReport third = machine_report("r3", {});
  third.exit_code = ExitCode::k_no_tests_collected;

  const RunReport merged = merge_run_reports({first, second, third});
  EXPECT_EQ(merged.run_id, "r1,r2,r3");
  EXPECT_EQ(merged.suite, "integration");
  EXPECT_EQ(merged.environment, "test");
  EXPECT_EQ(merged.counts, (SummaryCounts{.failed = 1, .passed = 2, .skipped = 1,
                                          .deselected = 5}));
  EXPECT_EQ(merged.wall_time, milliseconds(60'000));
  EXPECT_EQ(merged.time_to_first_test, milliseconds(2500));
  EXPECT_EQ(merged.peak_memory_bytes, 300u);
  EXPECT_EQ(merged.exit_code, ExitCode::k_tests_failed);
  ASSERT_EQ(merged.tests.size(), 4u);
  EXPECT_EQ(merged.tests[2].id, "b.py::test_3");
}

TEST(ReportMergeTest, RenumbersShardsSoEachTestPointsAtTheShardThatRanIt)
{
  const RunReport merged = merge_run_reports(
    {machine_report("r1", {result("a.py::test_1", Outcome::k_passed, 2)}),
     machine_report("r2", {result("b.py::test_2", Outcome::k_passed, 1),
                           result("b.py::test_3", Outcome::k_passed, 0)})});
  ASSERT_EQ(merged.shards.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(merged.shards[static_cast<std::size_t>(i)].shard, i + 1);
  }
  EXPECT_EQ(merged.shards[2].project, "shop-test-r2-s1");
  EXPECT_EQ(merged.tests[0].shard, 2);
  EXPECT_EQ(merged.tests[1].shard, 3);
  EXPECT_EQ(merged.tests[2].shard, 0);  // unknown stays unknown
}

TEST(ReportMergeTest, ATestThatPassedOnALaterRerunIsFlakyAndTheMergePasses)
{
  const RunReport merged = merge_run_reports(
    {machine_report("r1", {result("a.py::test_1", Outcome::k_failed, 1),
                           result("a.py::test_2", Outcome::k_passed, 1)}),
     machine_report("rerun", {result("a.py::test_1", Outcome::k_passed, 1)})});
  ASSERT_EQ(merged.tests.size(), 2u);
  EXPECT_TRUE(merged.tests[0].flaky);
  EXPECT_EQ(merged.tests[0].attempts, 2);
  EXPECT_EQ(merged.counts.passed, 2);
  EXPECT_EQ(merged.counts.flaky, 1);
  EXPECT_EQ(merged.counts.failed, 0);
  EXPECT_EQ(merged.exit_code, ExitCode::k_all_passed);
}

TEST(ReportMergeTest, ARunThatWentWrongDecidesTheExitCode)
{
  RunReport interrupted = machine_report("r2", {result("b.py::test_2", Outcome::k_passed, 1)});
  interrupted.exit_code = ExitCode::k_interrupted;
  interrupted.counts.not_run = 7;
  const RunReport merged = merge_run_reports(
    {machine_report("r1", {result("a.py::test_1", Outcome::k_failed, 1)}), interrupted});
  EXPECT_EQ(merged.exit_code, ExitCode::k_interrupted);
  EXPECT_EQ(merged.counts.not_run, 7);
}

TEST(ReportMergeTest, AShardThatFailedOutsideItsTestsFailsTheMerge)
{
  RunReport report = machine_report("r1", {result("a.py::test_1", Outcome::k_passed, 1)});
  report.shards[1].error = "postgres: not ready after 60.00s";
  EXPECT_EQ(merge_run_reports({report}).exit_code, ExitCode::k_tests_failed);
}

TEST(ReportMergeTest, TestsLeftUnrunFailTheMerge)
{
  RunReport report = machine_report("r1", {result("a.py::test_1", Outcome::k_passed, 1)});
  report.counts.not_run = 1;
  EXPECT_EQ(merge_run_reports({report}).exit_code, ExitCode::k_tests_failed);
}

TEST(ReportMergeTest, NoTestsInAnyReportIsExitFive)
{
  EXPECT_EQ(merge_run_reports({machine_report("r1", {}), machine_report("r2", {})}).exit_code,
            ExitCode::k_no_tests_collected);
  EXPECT_EQ(merged_exit_code({ExitCode::k_all_passed}, machine_report("r1", {})),
            ExitCode::k_no_tests_collected);
}

TEST(ReportMergeTest, TellsTheFormatByExtensionElseByContent)
{
  const TempDir directory;
  write_text(directory.path() / "a.XML", "");
  write_text(directory.path() / "b.json", "");
  write_text(directory.path() / "c.report", "\n  <testsuites/>");
  write_text(directory.path() / "d", " {}");
  write_text(directory.path() / "e.txt", "hello");
  EXPECT_EQ(report_format_of(directory.path() / "a.XML"), ReportFormat::k_junit_xml);
  EXPECT_EQ(report_format_of(directory.path() / "b.json"), ReportFormat::k_json);
  EXPECT_EQ(report_format_of(directory.path() / "c.report"), ReportFormat::k_junit_xml);
  EXPECT_EQ(report_format_of(directory.path() / "d"), ReportFormat::k_json);
  EXPECT_THROW(report_format_of(directory.path() / "e.txt"), UsageError);
  EXPECT_THROW(report_format_of(directory.path() / "missing"), UsageError);
}

TEST(ReportMergeTest, ReadsPytestJunitWithItsSuiteTimeAsWallTime)
{
  const TempDir directory;
  const auto file = directory.path() / "pytest.xml";
  write_text(file, junit_samples::k_pytest_xunit2);
  const RunReport report = read_report(file);
  EXPECT_EQ(report.wall_time, milliseconds(33));
  EXPECT_EQ(report.tests.size(), read_junit_xml(file).size());
  EXPECT_FALSE(report.tests.empty());
}

TEST(ReportMergeTest, JunitWallTimeIsTheRootTimeElseTheSumOfSuiteTimes)
{
  const TempDir directory;
  const auto rooted = directory.path() / "gtest.xml";
  write_text(rooted, R"(<testsuites time="4.5"><testsuite name="S" time="1">)"
                     R"(<testcase classname="S" name="T" time="1"/></testsuite></testsuites>)");
  const auto summed = directory.path() / "suites.xml";
  write_text(summed, R"(<testsuites><testsuite name="S" time="1.25">)"
                     R"(<testcase classname="S" name="T" time="1"/></testsuite>)"
                     R"(<testsuite name="U" time="2"><testcase classname="U" name="T" time="1"/>)"
                     R"(</testsuite></testsuites>)");
  EXPECT_EQ(read_report(rooted).wall_time, milliseconds(4500));
  EXPECT_EQ(read_report(summed).wall_time, milliseconds(3250));
}

TEST(ReportMergeTest, MergesJunitAndJsonFilesAndRoundTripsTheOutput)
{
  const TempDir directory;
  const auto json_input = directory.path() / "machine1.json";
  RunReport first = machine_report("r1", {result("a.py::test_1", Outcome::k_passed, 1)});
  first.wall_time = milliseconds(1000);
  write_json_report(json_input, first);
  const auto junit_input = directory.path() / "machine2.xml";
  write_junit_xml(junit_input,
                  {result("b.py::test_2", Outcome::k_failed, 1),
                   result("b.py::test_3", Outcome::k_passed, 2)},
                  milliseconds(7000));

  const RunReport merged = merge_report_files({json_input, junit_input});
  ASSERT_EQ(merged.tests.size(), 3u);
  EXPECT_EQ(merged.tests[1].id, "b.py::test_2");
  EXPECT_EQ(merged.tests[1].shard, 3);  // after machine1's two shards
  EXPECT_EQ(merged.wall_time, milliseconds(7000));
  EXPECT_EQ(merged.counts.failed, 1);
  EXPECT_EQ(merged.exit_code, ExitCode::k_tests_failed);

  const auto json_output = directory.path() / "out" / "merged.json";
  write_json_report(json_output, merged);
  const RunReport reread = read_report(json_output);
  EXPECT_EQ(reread.counts, merged.counts);
  EXPECT_EQ(reread.tests.size(), 3u);
  EXPECT_EQ(reread.shards.size(), 2u);
}

TEST(ReportMergeTest, RejectsNoFilesAndTheSameFileTwice)
{
  const TempDir directory;
  const auto file = directory.path() / "r.json";
  write_json_report(file, machine_report("r1", {}));
  EXPECT_THROW(merge_report_files({}), UsageError);
  try {
    merge_report_files({file, directory.path() / "." / "r.json"});
    FAIL() << "the same file twice was merged";
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("given twice"), std::string::npos);
  }
}

TEST(ReportMergeTest, MalformedInputIsAnInternalErrorAndMissingInputAUsageError)
{
  const TempDir directory;
  const auto broken = directory.path() / "broken.json";
  write_text(broken, "{\"run_id\": ");
  try {
    merge_report_files({broken});
    FAIL() << "a malformed report was merged";
  } catch (const InternalError& error) {
    EXPECT_NE(std::string(error.what()).find(broken.string()), std::string::npos);
  }
  EXPECT_THROW(merge_report_files({directory.path() / "missing.xml"}), UsageError);
}

}  // namespace
}  // namespace orchestrate
