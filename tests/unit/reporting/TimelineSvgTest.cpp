#include "reporting/TimelineSvg.hpp"

#include "RunRecordSamples.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace orchestrate {
namespace {

using testing::sample_run_record;
using testing::sample_span;

TEST(TimelineSvgTest, AFiveMillisecondTestInATenMinuteRunIsStillDrawnVisibly)
{
  auto record = sample_run_record();
  record.report.wall_time = Milliseconds(600'000);
  record.timeline.spans = {sample_span(1, SpanKind::k_test, "t::quick", 300'000, 5, "passed")};

  const auto svg = render_timeline_svg(record);

  std::smatch width;
  const std::regex quick_width(R"re(data-test-id="t::quick"[^>]* width="([0-9.]+)")re");
  ASSERT_TRUE(std::regex_search(svg, width, quick_width)) << svg;
  EXPECT_GE(std::stod(width[1]), 1.5);
}

TEST(TimelineSvgTest, TheAxisIsMarkedInRoundSteps)
{
  auto record = sample_run_record();
  record.report.wall_time = Milliseconds(47'110);

  const auto svg = render_timeline_svg(record);

  for (const char* tick : {">0s<", ">10s<", ">20s<", ">30s<", ">40s<"}) {
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  }
  EXPECT_EQ(svg.find(">50s<"), std::string::npos);
}

TEST(TimelineSvgTest, ATestRectSaysWhatItIsInItsTooltip)
{
  const auto svg = render_timeline_svg(sample_run_record());

  EXPECT_NE(svg.find("<title>tests/test_b.py::test_retried \xe2\x80\x94 0.45s, passed (shard 2, "
                     "attempt 2)</title>"),
            std::string::npos)
    << svg;
}

}  // namespace
}  // namespace orchestrate
