#include "reporting/DurationsReport.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

TestResult timed(const std::string& id, int milliseconds)
{
  TestResult result;
  result.id = id;
  result.duration = Milliseconds(milliseconds);
  return result;
}

TEST(DurationsReportTest, ListsTheSlowestTestsFirstUnderPytestsHeading)
{
  const auto text = format_durations_report(
    {timed("fast", 10), timed("slow", 3210), timed("middle", 500), timed("untimed", 0)}, {}, 2);
  EXPECT_EQ(text, "============================= slowest 2 durations ==============================\n"
                  " 3.21s slow\n"
                  " 0.50s middle\n");
}

TEST(DurationsReportTest, ZeroListsEveryTimedTest)
{
  const auto text =
    format_durations_report({timed("a", 10), timed("b", 20), timed("c", 0)}, {}, 0);
  EXPECT_NE(text.find(" slowest durations "), std::string::npos);
  EXPECT_NE(text.find(" 0.02s b\n 0.01s a\n"), std::string::npos);
  EXPECT_EQ(text.find(" c\n"), std::string::npos);
}

TEST(DurationsReportTest, ShowsWhereEachShardsTimeWent)
{
  ShardTiming first;
  first.shard = 2;
  first.stack_up = Milliseconds(2100);
  first.ready = Milliseconds(900);
  first.tests = Milliseconds(12500);
  first.teardown = Milliseconds(400);
  first.tests_run = 7;
  ShardTiming second;
  second.shard = 1;
  second.error = "stack did not come up\nmore";
  const auto text = format_durations_report({timed("a", 10)}, {first, second}, 5);
  EXPECT_NE(text.find("shard   stack up     ready     tests  teardown  tests run\n"
                      "    1      0.00s     0.00s     0.00s     0.00s          0  (failed: stack "
                      "did not come up)\n"
                      "    2      2.10s     0.90s    12.50s     0.40s          7\n"),
            std::string::npos)
    << text;
}

TEST(DurationsReportTest, NothingToShowGivesNothing)
{
  EXPECT_EQ(format_durations_report({}, {}, 5), "");
}

}  // namespace
}  // namespace orchestrate
