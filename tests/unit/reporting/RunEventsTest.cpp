#include "reporting/RunEventsFanOut.hpp"
#include "reporting/RunRecorder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace orchestrate {
namespace {

// Notes which events reached it, in order.
class NotingSink : public RunEvents
{
public:
  NotingSink(std::string name, std::vector<std::string>& log)
    : m_name(std::move(name)),
      m_log(log)
  {
  }
  void shard_opening(int shard) noexcept override
  {
    m_log.push_back(m_name + " opening " + std::to_string(shard));
  }
  void test_finished(const TestResult& result) override
  {
    m_log.push_back(m_name + " finished " + result.id);
  }
  void warning(const std::string& text) override
  {
    m_log.push_back(m_name + " warning " + text);
  }

private:
  std::string m_name;
  std::vector<std::string>& m_log;
};

TEST(RunEventsTest, FanOutHandsEachEventToEverySinkInTheOrderGiven)
{
  std::vector<std::string> log;
  NotingSink first("first", log);
  NotingSink second("second", log);
  RunEventsFanOut events{&first, &second};

  events.shard_opening(2);
  TestResult result;
  result.id = "t::a";
  events.test_finished(result);
  events.warning("low disk");
  events.message("ignored by both");  // a plain RunEvents ignores what it does not override

  EXPECT_EQ(log, (std::vector<std::string>{"first opening 2", "second opening 2",
                                           "first finished t::a", "second finished t::a",
                                           "first warning low disk", "second warning low disk"}));
}

TEST(RunEventsTest, RecorderKeepsTheFirstTestAndFirstUpTimesOnlyOnce)
{
  const auto started = RunEvents::Clock::now() - std::chrono::seconds(5);
  RunRecorder recorder(started);
  EXPECT_FALSE(recorder.time_to_first_test());
  EXPECT_FALSE(recorder.time_to_first_up());

  recorder.stack_starting(1);
  recorder.batch_started(1, 3, "t::a");
  const auto first_test = recorder.time_to_first_test();
  const auto first_up = recorder.time_to_first_up();
  ASSERT_TRUE(first_test);
  ASSERT_TRUE(first_up);
  EXPECT_GE(*first_test, Milliseconds(5000));
  EXPECT_GE(*first_up, Milliseconds(5000));

  recorder.test_started(2, "t::b");  // later starts change nothing
  recorder.stack_starting(2);
  EXPECT_EQ(recorder.time_to_first_test(), first_test);
  EXPECT_EQ(recorder.time_to_first_up(), first_up);
}

TEST(RunEventsTest, RecorderKeepsEachClosedShardsTimingAndItsTimeline)
{
  RunRecorder recorder(RunEvents::Clock::now());
  ShardTiming one;
  one.shard = 1;
  one.tests_run = 4;
  ShardTiming two;
  two.shard = 2;
  two.error = "stack never became ready";
  recorder.shard_closed(one);
  recorder.shard_closed(two);
  recorder.stack_up(1, RunEvents::Clock::now());
  recorder.teardown_ended(1, Milliseconds(300));

  const auto timings = recorder.shard_timings();
  ASSERT_EQ(timings.size(), 2u);
  EXPECT_EQ(timings[0].tests_run, 4);
  EXPECT_EQ(timings[1].error, "stack never became ready");
  const auto timeline = recorder.timeline();
  ASSERT_EQ(timeline.spans.size(), 2u);
  EXPECT_EQ(timeline.spans[0].kind, SpanKind::k_stack_up);
  EXPECT_EQ(timeline.spans[1].kind, SpanKind::k_teardown);
  EXPECT_EQ(timeline.spans[1].duration, Milliseconds(300));
}

}  // namespace
}  // namespace orchestrate
