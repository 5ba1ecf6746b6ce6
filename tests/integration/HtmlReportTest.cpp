// A real 4-shard run with --html and --trace, its page opened in headless Chromium (screenshots and
// the DOM it built), its trace checked against the trace-event format, and `orchestrate report`
// rendering the same from the run's folder.
//
// With ORCHESTRATE_SCREENSHOT_DIR set, the screenshots are also copied there (html-report.png at
// desktop width, html-report-phone.png at phone width): that is how docs/html-report.png is made.

#include "OrchestrateCli.hpp"
#include "core/FileText.hpp"
#include "reporting/HtmlEscape.hpp"
#include "reporting/JsonReport.hpp"
#include "support/TraceCheck.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <regex>
#include <set>

namespace orchestrate {
namespace {

using testing::CliRun;
using testing::ScratchProject;

// A handful of quick tests against both services, one skip and one failure, so that every part
// of the page has something to show.
constexpr const char* k_suite_tests = R"py(import os
import time

import psycopg2
import pytest
import redis


def connect():
    return psycopg2.connect(os.environ["DATABASE_URL"])


@pytest.mark.parametrize("rows", [1, 5, 20, 50])
def test_database_counts_rows(rows):
    with connect() as connection, connection.cursor() as cursor:
        cursor.execute("select count(*) from generate_series(1, %s)", (rows,))
        assert cursor.fetchone()[0] == rows


@pytest.mark.parametrize("key", ["alpha", "beta", "gamma", "delta"])
def test_cache_keeps_a_value(key):
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.set(key, key.upper())
    time.sleep(0.2)
    assert client.get(key) == key.upper().encode()


def test_report_can_wait_a_little():
    time.sleep(0.8)


@pytest.mark.skip(reason="shows as skipped")
def test_skipped_on_purpose():
    pass


def test_discount_is_applied():
    price, discount = 100, 0.15
    assert price * (1 - discount) == 80, "discount not applied as expected"
)py";

constexpr int k_shards = 4;

// Headless Chromium as it runs as root on a closed network: no sandbox, no GPU, and none of the
// background connections it would otherwise try (and be refused).
CliRun run_chromium(const std::filesystem::path& profile, const std::vector<std::string>& arguments)
{
  ProcessOptions options;
  options.argv = {"chromium",
                  "--headless",
                  "--no-sandbox",
                  "--disable-gpu",
                  "--disable-quic",
                  "--no-first-run",
                  "--disable-background-networking",
                  "--disable-component-update",
                  "--disable-sync",
                  "--hide-scrollbars",
                  "--log-level=3",
                  "--user-data-dir=" + profile.string()};
  options.argv.insert(options.argv.end(), arguments.begin(), arguments.end());
  options.capture_output = true;
  const auto result = run_command(options, Milliseconds(120'000));
  return {result.exit.exit_code, result.output};
}

// Takes a screenshot of `page` at `width` x `height` CSS pixels; returns the PNG's path.
std::filesystem::path screenshot(const std::filesystem::path& work,
                                 const std::filesystem::path& page, int width, int height,
                                 const std::string& name)
{
  const auto png = work / name;
  const auto run = run_chromium(work / ("profile-" + name),
                                {"--window-size=" + std::to_string(width) + "," +
                                   std::to_string(height),
                                 "--screenshot=" + png.string(), "file://" + page.string()});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  return png;
}

bool is_png_of_some_size(const std::filesystem::path& file)
{
  const auto bytes = read_file_text(file);
  // The 8-byte PNG signature, and more than a blank page compresses to.
  return bytes && bytes->size() > 10'000 && bytes->compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
}

void keep_for_docs(const std::filesystem::path& png, const std::string& name)
{
  if (const char* dir = std::getenv("ORCHESTRATE_SCREENSHOT_DIR")) {
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(png, std::filesystem::path(dir) / name,
                               std::filesystem::copy_options::overwrite_existing);
  }
}

std::filesystem::path only_run_folder(const ScratchProject& project)
{
  std::vector<std::filesystem::path> runs;
  for (const auto& entry :
       std::filesystem::directory_iterator(project.root() / ".orchestrate" / "runs")) {
    runs.push_back(entry.path());
  }
  EXPECT_EQ(runs.size(), 1u);
  return runs.empty() ? std::filesystem::path() : runs.front();
}

nlohmann::json read_json(const std::filesystem::path& file)
{
  const auto text = read_file_text(file);
  EXPECT_TRUE(text) << file;
  return nlohmann::json::parse(text.value_or("null"));
}

TEST(HtmlReportTest, RealFourShardRunIsDrawnOneLanePerShardInChromiumAndTracedAndReRendered)
{
  ScratchProject project;
  DockerCleanup safety_net(project.label());
  project.write("suites/look.yaml", "paths: [suites/look]\nfixtures: [postgres, redis]\n");
  project.write("suites/look/test_look.py", k_suite_tests);
  const auto html = project.root() / "out" / "report.html";
  const auto trace = project.root() / "out" / "trace.json";
  const auto report_json = project.root() / "out" / "report.json";

  const auto run = project.run({"--suite", "look", "--parallel", std::to_string(k_shards),
                                "--dist", "static", "--html", html.string(), "--trace",
                                trace.string(), "--report-json", report_json.string()});

  ASSERT_EQ(run.exit_code, 1) << run.output;  // the one deliberate failure
  const auto report = read_json_report(report_json);
  ASSERT_EQ(report.tests.size(), 11u) << run.output;
  ASSERT_EQ(report.shards.size(), static_cast<std::size_t>(k_shards));

  // The page as a browser builds it: one lane per shard, a rect for every test of the run.
  const auto dom = run_chromium(project.root() / "profile-dom",
                                {"--dump-dom", "file://" + html.string()});
  ASSERT_EQ(dom.exit_code, 0) << dom.output;
  const std::regex lane(R"re(<g class="lane" data-shard="(\d+)")re");
  std::multiset<int> lanes;
  for (auto it = std::sregex_iterator(dom.output.begin(), dom.output.end(), lane);
       it != std::sregex_iterator(); ++it) {
    lanes.insert(std::stoi((*it)[1]));
  }
  EXPECT_EQ(lanes, (std::multiset<int>{1, 2, 3, 4})) << dom.output;
  for (const auto& test : report.tests) {
    EXPECT_NE(dom.output.find("data-test-id=\"" + html_escape(test.id) + "\""), std::string::npos)
      << test.id << " is not on the timeline";
  }
  EXPECT_NE(dom.output.find("1 failed, 9 passed, 1 skipped in"), std::string::npos);
  EXPECT_NE(dom.output.find("discount not applied as expected"), std::string::npos);

  // What a person sees, on a desktop and on a phone.
  const auto desktop = screenshot(project.root(), html, 1200, 1500, "html-report.png");
  EXPECT_TRUE(is_png_of_some_size(desktop));
  const auto phone = screenshot(project.root(), html, 390, 1500, "html-report-phone.png");
  EXPECT_TRUE(is_png_of_some_size(phone));
  keep_for_docs(desktop, "html-report.png");
  keep_for_docs(phone, "html-report-phone.png");

  // The trace: valid trace events, one named thread per shard, every test, memory counters.
  const auto events = read_json(trace);
  const auto problems = testing::trace_format_problems(events);
  EXPECT_TRUE(problems.empty()) << problems.front();
  const auto misnested = testing::trace_misnested_events(events);
  EXPECT_TRUE(misnested.empty()) << misnested.front();
  const auto threads = testing::trace_thread_names(events);
  for (int shard = 1; shard <= k_shards; ++shard) {
    EXPECT_EQ(threads.count(shard), 1u);
  }
  EXPECT_EQ(threads.size(), static_cast<std::size_t>(k_shards) + 1);  // and the run's own
  const auto traced_tests = testing::trace_test_names(events);
  for (const auto& test : report.tests) {
    EXPECT_EQ(traced_tests.count(test.id), 1u) << test.id;
  }
  int counters = 0;
  for (const auto& event : events["traceEvents"]) {
    counters += event["ph"] == "C" ? 1 : 0;
  }
  EXPECT_GT(counters, 0) << "no memory sample in the trace";

  // The run's folder renders the same page and trace afterwards.
  const auto again_html = project.root() / "again" / "report.html";
  const auto again_trace = project.root() / "again" / "trace.json";
  const auto rendered =
    testing::run_orchestrate({"report", only_run_folder(project).string(), "--html",
                              again_html.string(), "--trace", again_trace.string()});
  EXPECT_EQ(rendered.exit_code, 0) << rendered.output;
  EXPECT_NE(rendered.output.find("1 failed, 9 passed, 1 skipped in"), std::string::npos)
    << rendered.output;
  EXPECT_EQ(read_file_text(again_html), read_file_text(html));
  EXPECT_EQ(read_json(again_trace), events);

  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

TEST(HtmlReportTest, ReportOfAFolderThatIsNoRunIsAUsageError)
{
  ScratchProject project;

  const auto rendered = testing::run_orchestrate(
    {"report", project.root().string(), "--html", (project.root() / "x.html").string()});

  EXPECT_EQ(rendered.exit_code, 4) << rendered.output;
  EXPECT_NE(rendered.output.find("is not a run folder"), std::string::npos) << rendered.output;
  EXPECT_FALSE(std::filesystem::exists(project.root() / "x.html"));
}

}  // namespace
}  // namespace orchestrate
