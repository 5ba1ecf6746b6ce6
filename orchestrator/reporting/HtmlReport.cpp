#include "reporting/HtmlReport.hpp"

#include "reporting/HtmlEscape.hpp"
#include "reporting/ReportFile.hpp"
#include "reporting/Summary.hpp"
#include "reporting/TimelineSvg.hpp"

#include <algorithm>
#include <map>
#include <vector>

namespace orchestrate {

namespace {

constexpr std::size_t k_slowest_shown = 10;

// Inline, so the page needs nothing else: system fonts, colours by outcome, tables and output that
// scroll sideways inside their box on a narrow screen instead of widening the page. On a phone the
// timeline fits the width (the whole run at a glance) with its text enlarged in drawing units.
constexpr const char* k_style = R"(
:root{--fg:#1d2330;--muted:#5d6678;--line:#d9dde5;--bg:#fff;--panel:#f5f7fa;
--passed:#2e9d4f;--failed:#d93838;--error:#e07b00;--skipped:#c9a400;--xfailed:#8c8c8c;
--xpassed:#6aa84f;--stack:#4a78c2;--ready:#8e63b5;--teardown:#9aa3b2;--batch:#e6ebf3}
*{box-sizing:border-box}
body{margin:0;padding:16px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--fg);background:var(--bg)}
main{max-width:1180px;margin:0 auto}
h1{font-size:1.35em;margin:0 0 4px}
h2{font-size:1.1em;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
.meta{color:var(--muted);margin:0 0 12px;overflow-wrap:anywhere}
.verdict{display:inline-block;padding:6px 12px;border-radius:6px;font-weight:600;color:#fff}
.verdict.ok{background:var(--passed)}.verdict.bad{background:var(--failed)}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.card{background:var(--panel);border-radius:6px;padding:8px 12px;min-width:120px;flex:1 1 120px}
.card b{display:block;font-size:1.25em}.card span{color:var(--muted);font-size:.85em}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
svg.timeline{display:block;width:100%;min-width:560px;height:auto;font-size:13px}
svg .axis line{stroke:var(--line);stroke-width:1}
svg .axis text{fill:var(--muted);text-anchor:middle}
svg .lane-label{fill:var(--fg);font-weight:600}
svg rect.stack-up{fill:var(--stack)}svg rect.ready{fill:var(--ready)}
svg rect.teardown{fill:var(--teardown)}svg rect.batch{fill:var(--batch)}
svg rect.test{fill:var(--passed);stroke:#fff;stroke-width:.4}
svg rect.failed{fill:var(--failed)}svg rect.error{fill:var(--error)}
svg rect.skipped{fill:var(--skipped)}svg rect.xfailed{fill:var(--xfailed)}
svg rect.xpassed{fill:var(--xpassed)}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin:6px 0;font-size:.85em;color:var(--muted)}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;
vertical-align:-1px}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--panel);font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap}
td.id{overflow-wrap:anywhere}
.outcome{font-weight:600}.outcome.failed{color:var(--failed)}.outcome.error{color:var(--error)}
.outcome.passed{color:var(--passed)}
details.failure{border:1px solid var(--line);border-left:4px solid var(--failed);border-radius:4px;
margin:8px 0;background:var(--panel)}
details.failure.error{border-left-color:var(--error)}
details.failure summary{padding:8px 10px;cursor:pointer;overflow-wrap:anywhere}
details.failure pre{margin:0;padding:10px;background:#fff;border-top:1px solid var(--line);
max-height:28em;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85em}
.none{color:var(--muted)}
@media (max-width:600px){body{padding:10px;font-size:14px}th,td{padding:4px 5px}
.card{flex:1 1 30%;min-width:0;padding:6px 8px}.card b{font-size:1.1em}
svg.timeline{min-width:0;font-size:24px}}
)";

std::string cell(const std::string& text, const char* css_class = nullptr)
{
  return css_class == nullptr ? "<td>" + text + "</td>"
                              : "<td class=\"" + std::string(css_class) + "\">" + text + "</td>";
}

std::string card(const std::string& value, const std::string& label)
{
  return "<div class=\"card\"><b>" + value + "</b><span>" + label + "</span></div>\n";
}

bool failed(const TestResult& test)
{
  return test.outcome == Outcome::k_failed || test.outcome == Outcome::k_error;
}

std::string summary_section(const RunReport& report)
{
  const bool ok = report.exit_code == ExitCode::k_all_passed;
  std::string html = "<p><span class=\"verdict " + std::string(ok ? "ok" : "bad") +
                     "\" id=\"summary\">" + html_escape(format_summary(report.counts,
                                                                       report.wall_time)) +
                     "</span></p>\n<div class=\"cards\">\n";
  html += card(format_seconds(report.wall_time), "wall time");
  html += card(std::to_string(report.tests.size()), "tests");
  html += card(std::to_string(report.shards.size()), "shards");
  html += card(format_seconds(report.time_to_first_test), "to first test");
  if (report.peak_memory_bytes > 0) {
    html += card(html_escape(format_bytes(report.peak_memory_bytes)), "peak memory");
  }
  html += card(std::to_string(to_int(report.exit_code)), "exit code");
  return html + "</div>\n";
}

std::string legend()
{
  static const std::vector<std::pair<const char*, const char*>> k_entries{
    {"stack", "stack up"}, {"ready", "readiness"}, {"batch", "runner batch"},
    {"passed", "passed"},  {"failed", "failed"},   {"error", "error"},
    {"skipped", "skipped"}, {"teardown", "teardown"},
  };
  std::string html = "<div class=\"legend\">";
  for (const auto& [colour, label] : k_entries) {
    html += "<span><i style=\"background:var(--" + std::string(colour) + ")\"></i>" + label +
            "</span>";
  }
  return html + "</div>\n";
}

std::string timeline_section(const RunRecord& record)
{
  std::string html = "<h2>Timeline</h2>\n";
  if (record.timeline.spans.empty()) {
    return html + "<p class=\"none\">This run recorded no timeline.</p>\n";
  }
  return html + legend() + "<div class=\"scroll\">\n" + render_timeline_svg(record) +
         "</div>\n<p class=\"meta\">Hover over a bar for its name and time.</p>\n";
}

std::string failures_section(const RunRecord& record)
{
  std::string html = "<h2>Failures</h2>\n";
  int shown = 0;
  for (const auto& test : record.report.tests) {
    if (!failed(test)) {
      continue;
    }
    const auto output = record.timeline.output.find(test.id);
    const std::string& text =
      output != record.timeline.output.end() ? output->second
                                             : (test.details.empty() ? test.message : test.details);
    const char* outcome = test.outcome == Outcome::k_failed ? "failed" : "error";
    html += "<details class=\"failure " + std::string(outcome) + "\"" +
            (shown < 5 ? " open" : "") + "><summary><span class=\"outcome " + outcome + "\">" +
            (test.outcome == Outcome::k_failed ? "FAILED" : "ERROR") + "</span> " +
            html_escape(test.id) + (test.message.empty() ? "" : " \xe2\x80\x94 " +
                                                                   html_escape(test.message)) +
            " <span class=\"none\">(shard " + std::to_string(test.shard) +
            ")</span></summary><pre>" +
            html_escape(text) + "</pre></details>\n";
    ++shown;
  }
  return shown == 0 ? html + "<p class=\"none\">No test failed.</p>\n" : html;
}

std::string slowest_section(const RunReport& report)
{
  std::vector<const TestResult*> tests;
  for (const auto& test : report.tests) {
    tests.push_back(&test);
  }
  const std::size_t shown = std::min(k_slowest_shown, tests.size());
  std::partial_sort(tests.begin(), tests.begin() + static_cast<std::ptrdiff_t>(shown), tests.end(),
                    [](const TestResult* a, const TestResult* b) {
                      return a->duration > b->duration;
                    });
  std::string html = "<h2>Slowest tests</h2>\n<div class=\"scroll\"><table><tr>"
                     "<th class=\"num\">time</th><th>test</th><th>outcome</th>"
                     "<th class=\"num\">shard</th></tr>\n";
  for (std::size_t i = 0; i < shown; ++i) {
    const TestResult& test = *tests[i];
    const std::string outcome = html_escape(outcome_name(test.outcome));
    html += "<tr>" + cell(format_seconds(test.duration), "num") + cell(html_escape(test.id), "id") +
            "<td class=\"outcome " + outcome + "\">" + outcome + "</td>" +
            cell(std::to_string(test.shard), "num") + "</tr>\n";
  }
  return html + "</table></div>\n";
}

std::string shards_section(const RunReport& report)
{
  std::string html = "<h2>Shards</h2>\n<div class=\"scroll\"><table><tr><th>shard</th>"
                     "<th class=\"num\">stack up</th><th class=\"num\">ready</th>"
                     "<th class=\"num\">tests</th><th class=\"num\">teardown</th>"
                     "<th class=\"num\">tests run</th><th class=\"num\">peak memory</th>"
                     "<th>stack</th></tr>\n";
  // Shards record themselves as they close; the table reads in shard order.
  std::vector<ShardTiming> shards = report.shards;
  std::sort(shards.begin(), shards.end(),
            [](const ShardTiming& a, const ShardTiming& b) { return a.shard < b.shard; });
  for (const auto& shard : shards) {
    std::string stack = html_escape(shard.project);
    if (shard.stack_recreations > 0) {
      stack += " (recreated " + std::to_string(shard.stack_recreations) + "\xc3\x97)";
    }
    if (!shard.error.empty()) {
      stack += "<br><span class=\"outcome failed\">" + html_escape(shard.error) + "</span>";
    }
    html += "<tr data-shard-row=\"" + std::to_string(shard.shard) + "\">" +
            cell(std::to_string(shard.shard)) + cell(format_seconds(shard.stack_up), "num") +
            cell(format_seconds(shard.ready), "num") + cell(format_seconds(shard.tests), "num") +
            cell(format_seconds(shard.teardown), "num") +
            cell(std::to_string(shard.tests_run), "num") +
            cell(shard.peak_memory_bytes > 0 ? html_escape(format_bytes(shard.peak_memory_bytes))
                                             : "\xe2\x80\x94",
                 "num") +
            cell(stack, "id") + "</tr>\n";
  }
  return html + "</table></div>\n<p class=\"meta\">ready counts from the start of "
                "<code>compose up</code>, so it includes stack up.</p>\n";
}

std::string flaky_section(const RunReport& report)
{
  std::string html = "<h2>Flaky tests</h2>\n";
  std::string rows;
  for (const auto& test : report.tests) {
    if (test.flaky) {
      rows += "<tr>" + cell(html_escape(test.id), "id") +
              cell(std::to_string(test.attempts), "num") + cell(std::to_string(test.shard), "num") +
              "</tr>\n";
    }
  }
  if (rows.empty()) {
    return html + "<p class=\"none\">No test failed and then passed on a retry.</p>\n";
  }
  return html + "<div class=\"scroll\"><table><tr><th>test</th><th class=\"num\">attempts</th>"
                "<th class=\"num\">shard</th></tr>\n" + rows + "</table></div>\n";
}

}  // namespace

std::string render_html_report(const RunRecord& record)
{
  const RunReport& report = record.report;
  const std::string title = "orchestrate: " + report.suite + " \xe2\x80\x94 run " + report.run_id;
  std::string html =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'\">\n<title>" +
    html_escape(title) + "</title>\n<style>" + k_style + "</style>\n</head>\n<body>\n<main>\n";
  html += "<h1>" + html_escape(title) + "</h1>\n<p class=\"meta\">suite <b>" +
          html_escape(report.suite) + "</b> \xc2\xb7 environment <b>" +
          html_escape(report.environment) + "</b> \xc2\xb7 " +
          std::to_string(report.shards.size()) +
          " shards</p>\n";
  html += summary_section(report);
  html += timeline_section(record);
  html += failures_section(record);
  html += slowest_section(report);
  html += shards_section(report);
  html += flaky_section(report);
  return html + "</main>\n</body>\n</html>\n";
}

void write_html_report(const std::filesystem::path& file, const RunRecord& record)
{
  write_report_file(file, render_html_report(record), "HTML report");
}

}  // namespace orchestrate
