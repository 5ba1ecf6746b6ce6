// Start slots through the real binary (docs/resources.md, "Start slots"): with --start-slots 1 a
// run of three shards passes, and its trace shows the stacks brought up one after the other,
// shard 1 first, each one beginning `up` only once the one before was ready (or its slot's hold
// bound, at least StartSlots::k_min_hold_bound, had passed). A bad --start-slots is a usage error.

#include "OrchestrateCli.hpp"
#include "reporting/JsonReport.hpp"
#include "run/StartSlots.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <vector>

namespace orchestrate {
namespace {

using testing::ScratchProject;

// Six quick tests against a Redis stack per shard (Redis starts faster than Postgres).
constexpr const char* k_suite = "runner: command\nfixtures: [redis]\ncommands:\n"
                                "  - {name: a, run: [\"true\"]}\n  - {name: b, run: [\"true\"]}\n"
                                "  - {name: c, run: [\"true\"]}\n  - {name: d, run: [\"true\"]}\n"
                                "  - {name: e, run: [\"true\"]}\n  - {name: f, run: [\"true\"]}\n";

// One shard's bring-up on the run's timeline, in microseconds from the start of the run.
struct BringUp
{
  int shard = 0;
  long long up_began = -1;   // its `compose up` (after it got its start slot)
  long long ready_at = -1;   // the end of its readiness wait
};

// Each shard's first bring-up, from the trace's "stack up" and "ready" spans, in the order
// their `up` began.
std::vector<BringUp> bring_ups_in_trace(const std::filesystem::path& trace)
{
  std::ifstream in(trace);
  const auto document = nlohmann::json::parse(in);
  std::map<int, BringUp> by_shard;
  for (const auto& event : document.at("traceEvents")) {
    if (event.value("ph", "") != "X") {
      continue;
    }
    const int shard = event.at("tid").get<int>();
    auto& bring_up = by_shard[shard];
    bring_up.shard = shard;
    const auto start = event.at("ts").get<long long>();
    if (event.at("name") == "stack up" && bring_up.up_began < 0) {
      bring_up.up_began = start;
    } else if (event.at("name") == "ready" && bring_up.ready_at < 0) {
      bring_up.ready_at = start + event.at("dur").get<long long>();
    }
  }
  std::vector<BringUp> bring_ups;
  for (const auto& [shard, bring_up] : by_shard) {
    if (bring_up.up_began >= 0) {
      bring_ups.push_back(bring_up);
    }
  }
  std::sort(bring_ups.begin(), bring_ups.end(),
            [](const BringUp& a, const BringUp& b) { return a.up_began < b.up_began; });
  return bring_ups;
}

TEST(StartSlotsTest, OneStartSlotBringsTheStacksUpOneAfterTheOtherShardOneFirst)
{
  ScratchProject project;
  project.write("suites/tiny.yaml", k_suite);
  const auto trace = project.root() / "out" / "trace.json";
  const auto report = project.root() / "out" / "report.json";

  const auto run = project.run({"--suite", "tiny", "--parallel", "3", "--start-slots", "1",
                                "--progress", "lines", "--trace", trace.string(),
                                "--report-json", report.string()});

  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto written = read_json_report(report);
  EXPECT_EQ(written.counts.passed, 6);
  ASSERT_EQ(written.shards.size(), 3u) << run.output;
  const auto bring_ups = bring_ups_in_trace(trace);
  ASSERT_EQ(bring_ups.size(), 3u) << run.output;
  EXPECT_EQ(bring_ups.front().shard, 1);  // its worker would give the run's collection
  // The trace has milliseconds (as microseconds): a rounding of up to one either way.
  constexpr long long k_rounding_us = 2'000;
  const long long min_hold_us = StartSlots::k_min_hold_bound.count() * 1000;
  for (std::size_t i = 1; i < bring_ups.size(); ++i) {
    const auto& before = bring_ups[i - 1];
    const auto& next = bring_ups[i];
    ASSERT_GE(before.ready_at, 0) << "shard " << before.shard << " has no ready span";
    // The slot went to `next` when `before` was ready, or when its hold bound passed.
    const long long slot_free_at = std::min(before.ready_at, before.up_began + min_hold_us);
    EXPECT_GE(next.up_began + k_rounding_us, slot_free_at)
      << "shard " << next.shard << " began `up` at " << next.up_began << " us, while shard "
      << before.shard << " (up at " << before.up_began << " us) was ready only at "
      << before.ready_at << " us\n"
      << run.output;
  }
  EXPECT_TRUE(leftovers_with_label(project.label()).empty())
    << leftovers_with_label(project.label()).describe();
}

TEST(StartSlotsTest, NegativeStartSlotsAreAUsageError)
{
  ScratchProject project;
  project.write("suites/tiny.yaml", k_suite);

  const auto run = project.run({"--suite", "tiny", "--start-slots", "-1"});

  EXPECT_EQ(run.exit_code, 4) << run.output;
  EXPECT_NE(run.output.find("--start-slots must be 0 (no limit) or more"), std::string::npos)
    << run.output;
  EXPECT_TRUE(leftovers_with_label(project.label()).empty())
    << leftovers_with_label(project.label()).describe();
}

}  // namespace
}  // namespace orchestrate
