#include "reporting/HtmlReport.hpp"

#include "RunRecordSamples.hpp"
#include "reporting/HtmlEscape.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace orchestrate {
namespace {

using testing::sample_run_record;

std::size_t count_of(const std::string& text, const std::string& part)
{
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

TEST(HtmlReportTest, EscapeTurnsEveryMarkupCharacterIntoAnEntity)
{
  EXPECT_EQ(html_escape(R"(<a href="x" title='y'>&amp;</a>)"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
}

TEST(HtmlReportTest, EscapeDropsControlCharactersButKeepsLineBreaksTabsAndUtf8)
{
  EXPECT_EQ(html_escape("\x1b[31mred\x1b[0m\tand\r\nnext \xc3\xa9t\xc3\xa9\x7f\x01"),
            "[31mred[0m\tand\r\nnext \xc3\xa9t\xc3\xa9");
}

TEST(HtmlReportTest, TimelineHasOneLanePerShardAndOneRectPerTestRun)
{
  const auto html = render_html_report(sample_run_record());

  EXPECT_EQ(count_of(html, "<g class=\"lane\""), 2u);
  EXPECT_EQ(count_of(html, "data-shard=\"1\""), 1u);
  EXPECT_EQ(count_of(html, "data-shard=\"2\""), 1u);
  EXPECT_EQ(count_of(html, "data-test-id=\"tests/test_b.py::test_retried\""), 2u);
  EXPECT_EQ(count_of(html, "data-test-id="), 4u);
  EXPECT_EQ(count_of(html, "class=\"phase stack-up\""), 2u);
  EXPECT_EQ(count_of(html, "class=\"phase teardown\""), 2u);
}

TEST(HtmlReportTest, TestIdsMessagesAndOutputAreEscapedEverywhere)
{
  const auto html = render_html_report(sample_run_record());

  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<b>not bold</b>"), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_NE(
    html.find("data-test-id=\"tests/test_a.py::test_&lt;script&gt;alert(1)&lt;/script&gt;\""),
    std::string::npos);
  EXPECT_NE(html.find("E   assert 1 == 2 &lt;/pre&gt;&lt;b&gt;not bold&lt;/b&gt;"),
            std::string::npos);
  EXPECT_NE(html.find("assert 1 == 2 &amp; &quot;quoted&quot;"), std::string::npos);
}

TEST(HtmlReportTest, PageLoadsNothingFromElsewhereAndFitsAPhone)
{
  const auto html = render_html_report(sample_run_record());

  // The only URL is the SVG namespace, which names and loads nothing.
  EXPECT_EQ(std::regex_search(html, std::regex(R"((src|href)=)")), false);
  EXPECT_EQ(count_of(html, "http://"), 1u);
  EXPECT_EQ(count_of(html, "https://"), 0u);
  EXPECT_NE(html.find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_NE(html.find("<meta name=\"viewport\" content=\"width=device-width"), std::string::npos);
  EXPECT_NE(html.find("@media (max-width:600px)"), std::string::npos);
}

TEST(HtmlReportTest, ShowsTheSummaryPeakMemoryPerShardAndTheFlakyTest)
{
  const auto html = render_html_report(sample_run_record());

  EXPECT_NE(html.find("1 failed, 2 passed, 1 flaky in 5.00s"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">96 MiB</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">192 MiB</td>"), std::string::npos);
  const auto flaky = html.find("<h2>Flaky tests</h2>");
  ASSERT_NE(flaky, std::string::npos);
  EXPECT_NE(html.find("tests/test_b.py::test_retried</td><td class=\"num\">2</td>", flaky),
            std::string::npos);
}

TEST(HtmlReportTest, ARunWithoutTimelineSaysSoInsteadOfAnEmptyDrawing)
{
  auto record = sample_run_record();
  record.timeline = {};

  const auto html = render_html_report(record);

  EXPECT_EQ(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("This run recorded no timeline."), std::string::npos);
}

}  // namespace
}  // namespace orchestrate
