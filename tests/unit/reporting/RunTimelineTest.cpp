#include "reporting/RunTimeline.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace orchestrate {
namespace {

TestResult result_of(const std::string& id, Outcome outcome, int shard)
{
  TestResult result;
  result.id = id;
  result.outcome = outcome;
  result.shard = shard;
  return result;
}

std::vector<TimelineSpan> tests_of(const Timeline& timeline)
{
  std::vector<TimelineSpan> tests;
  for (const auto& span : timeline.spans) {
    if (span.kind == SpanKind::k_test) {
      tests.push_back(span);
    }
  }
  return tests;
}

TEST(RunTimelineTest, ATestSpansFromItsStartToItsEndAndTakesTheOutcomeOfItsResult)
{
  RunTimelineRecorder recorder;
  recorder.test_started(3, "t::a");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  recorder.test_finished(3, "t::a", false);
  recorder.result(result_of("t::a", Outcome::k_xfailed, 3));

  const auto tests = tests_of(recorder.timeline());

  ASSERT_EQ(tests.size(), 1u);
  EXPECT_EQ(tests[0].shard, 3);
  EXPECT_EQ(tests[0].name, "t::a");
  EXPECT_GE(tests[0].duration, Milliseconds(20));
  EXPECT_EQ(tests[0].outcome, "xfailed");
  EXPECT_EQ(tests[0].attempt, 1);
}

TEST(RunTimelineTest, ARerunIsASecondSpanWithTheNextAttempt)
{
  RunTimelineRecorder recorder;
  recorder.test_started(1, "t::flaky");
  recorder.test_finished(1, "t::flaky", true);
  recorder.test_started(1, "t::flaky");
  recorder.test_finished(1, "t::flaky", false);
  auto result = result_of("t::flaky", Outcome::k_passed, 1);
  result.flaky = true;
  result.details = "first attempt: boom";
  recorder.result(result);

  const auto timeline = recorder.timeline();
  const auto tests = tests_of(timeline);

  ASSERT_EQ(tests.size(), 2u);
  EXPECT_EQ(tests[0].outcome, "failed");
  EXPECT_EQ(tests[0].attempt, 1);
  EXPECT_EQ(tests[1].outcome, "passed");
  EXPECT_EQ(tests[1].attempt, 2);
  EXPECT_LE(tests[0].start, tests[1].start);
  EXPECT_EQ(timeline.output.at("t::flaky"), "first attempt: boom");
}

TEST(RunTimelineTest, AResultNeverSeenRunningIsPlacedBeforeItsArrivalByItsDuration)
{
  const auto started = std::chrono::steady_clock::now() - std::chrono::seconds(10);
  RunTimelineRecorder recorder(started);
  auto result = result_of("t::crashed", Outcome::k_error, 2);
  result.duration = Milliseconds(4'000);
  result.message = "the runner crashed";
  recorder.result(result);

  const auto timeline = recorder.timeline();
  const auto tests = tests_of(timeline);

  ASSERT_EQ(tests.size(), 1u);
  EXPECT_EQ(tests[0].outcome, "error");
  EXPECT_EQ(tests[0].duration, Milliseconds(4'000));
  EXPECT_GE(tests[0].start, Milliseconds(6'000));
  EXPECT_LT(tests[0].start, Milliseconds(60'000));
  EXPECT_EQ(timeline.output.at("t::crashed"), "the runner crashed");
}

TEST(RunTimelineTest, OutputIsKeptOnlyForTestsThatDidNotSimplyPass)
{
  RunTimelineRecorder recorder;
  auto passed = result_of("t::ok", Outcome::k_passed, 1);
  passed.details = "captured stdout";
  recorder.result(passed);

  EXPECT_TRUE(recorder.timeline().output.empty());
}

TEST(RunTimelineTest, PhasesAreTimedFromTheOriginAndMemorySamplesKeptInOrder)
{
  const auto origin = std::chrono::steady_clock::now() - std::chrono::seconds(5);
  RunTimelineRecorder recorder;
  recorder.set_origin(origin);
  recorder.phase_ended(1, SpanKind::k_stack_up, origin + std::chrono::seconds(1));
  recorder.phase_ended_after(1, SpanKind::k_teardown, Milliseconds(500));
  recorder.memory_sampled({{1, 100}});
  recorder.memory_sampled({{1, 200}, {2, 50}});

  const auto timeline = recorder.timeline();

  ASSERT_EQ(timeline.spans.size(), 2u);
  EXPECT_EQ(timeline.spans[0].name, "stack up");
  EXPECT_EQ(timeline.spans[0].start, Milliseconds(1'000));
  EXPECT_GE(timeline.spans[0].duration, Milliseconds(4'000));
  EXPECT_EQ(timeline.spans[1].name, "teardown");
  EXPECT_EQ(timeline.spans[1].duration, Milliseconds(500));
  EXPECT_GE(timeline.spans[1].start, Milliseconds(4'500));
  ASSERT_EQ(timeline.memory.size(), 2u);
  EXPECT_LE(timeline.memory[0].at, timeline.memory[1].at);
  EXPECT_EQ(timeline.memory[1].bytes_by_shard.at(2), 50u);
}

}  // namespace
}  // namespace orchestrate
