#include "reporting/TraceFile.hpp"

#include "RunRecordSamples.hpp"
#include "support/TraceCheck.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

using testing::sample_run_record;

TEST(TraceFileTest, EveryEventHasTheFieldsTheFormatRequires)
{
  const auto trace = build_trace(sample_run_record());

  const auto problems = testing::trace_format_problems(trace);

  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST(TraceFileTest, EventsOfAThreadNestOrFollowEachOther)
{
  const auto trace = build_trace(sample_run_record());

  const auto problems = testing::trace_misnested_events(trace);

  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST(TraceFileTest, OverlappingEventsOfOneThreadAreFoundMisnested)
{
  auto record = sample_run_record();
  // The ready phase starting before stack up ended.
  record.timeline.spans.push_back(
    testing::sample_span(1, SpanKind::k_ready, "ready", 1'000, 400));

  const auto problems = testing::trace_misnested_events(build_trace(record));

  EXPECT_FALSE(problems.empty());
}

TEST(TraceFileTest, EachShardIsOneNamedThreadBesideTheRunsOwn)
{
  const auto names = testing::trace_thread_names(build_trace(sample_run_record()));

  EXPECT_EQ(names, (std::map<int, std::string>{{0, "run"}, {1, "shard 1"}, {2, "shard 2"}}));
}

TEST(TraceFileTest, EachTestRunIsACompleteEventOnItsShardWithItsOutcomeInMicroseconds)
{
  const auto trace = build_trace(sample_run_record());

  std::vector<nlohmann::json> retried;
  for (const auto& event : trace["traceEvents"]) {
    if (event["name"] == "tests/test_b.py::test_retried") {
      retried.push_back(event);
    }
  }
  ASSERT_EQ(retried.size(), 2u);
  EXPECT_EQ(retried[0]["ph"], "X");
  EXPECT_EQ(retried[0]["tid"], 2);
  EXPECT_EQ(retried[0]["ts"], 1'600'000);
  EXPECT_EQ(retried[0]["dur"], 400'000);
  EXPECT_EQ(retried[0]["args"]["outcome"], "failed");
  EXPECT_EQ(retried[1]["args"]["outcome"], "passed");
  EXPECT_EQ(retried[1]["args"]["attempt"], 2);
  EXPECT_EQ(testing::trace_test_names(trace).size(), 4u);
}

TEST(TraceFileTest, PhasesOfEachShardAreCompleteEventsOnItsThread)
{
  const auto trace = build_trace(sample_run_record());

  std::multiset<std::pair<std::string, int>> phases;
  for (const auto& event : trace["traceEvents"]) {
    if (event["ph"] == "X" && event["cat"] == "stack") {
      phases.insert({event["name"].get<std::string>(), event["tid"].get<int>()});
    }
  }
  for (int shard = 1; shard <= 2; ++shard) {
    for (const char* phase : {"stack up", "ready", "teardown"}) {
      EXPECT_EQ(phases.count({phase, shard}), 1u) << phase << " of shard " << shard;
    }
  }
}

TEST(TraceFileTest, MemorySamplesAreOneCounterSeriesPerShardInMebibytes)
{
  const auto trace = build_trace(sample_run_record());

  std::vector<std::pair<long long, double>> shard_two;
  for (const auto& event : trace["traceEvents"]) {
    if (event["ph"] == "C" && event["name"] == "memory shard 2") {
      shard_two.push_back({event["ts"].get<long long>(), event["args"]["MiB"].get<double>()});
    }
  }
  EXPECT_EQ(shard_two, (std::vector<std::pair<long long, double>>{{1'000'000, 60.0},
                                                                    {1'250'000, 190.0}}));
}

}  // namespace
}  // namespace orchestrate
