// The scheduler's feed as a streaming session (a persistent worker) sees it: tests one at a time,
// longest first, reruns back to the same shard first, tests given back by a dying worker run once
// on some shard, -x ends the feed. A fake session, no processes.

#include "FakeShards.hpp"
#include "process/SignalState.hpp"
#include "scheduling/Scheduler.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace orchestrate {
namespace {

using testing::FakeShardLog;
using testing::OutcomeScript;

// Streams like a shard with a persistent worker: keeps `queued` tests taken from the feed ahead of
// the one it runs. The shard named in `dying_shard` "loses its worker" after its first test: the
// tests queued behind it go back to the feed, and it takes new ones.
class StreamingSession : public ShardSession
{
public:
  StreamingSession(int shard, FakeShardLog& log, OutcomeScript script, int dying_shard)
    : m_shard(shard),
      m_log(log),
      m_script(std::move(script)),
      m_dying_shard(dying_shard)
  {
  }

  void run_tests(TestFeed& feed) override
  {
    constexpr std::size_t k_queued = 2;
    std::deque<TestCase> queued;
    bool worker_lost = false;
    while (true) {
      while (queued.size() < k_queued + 1) {
        auto test = feed.next();
        if (!test) {
          break;
        }
        queued.push_back(std::move(*test));
      }
      if (queued.empty()) {
        return;
      }
      const TestCase test = queued.front();
      queued.pop_front();
      feed.finished(run(test));
      if (should_stop_children()) {
        // As a real shard does after -x: its queued tests did not run.
        feed.give_back({queued.begin(), queued.end()});
        return;
      }
      if (m_shard == m_dying_shard && !worker_lost) {
        worker_lost = true;
        feed.give_back({queued.begin(), queued.end()});
        queued.clear();
      }
    }
  }

  std::vector<TestResult> run_batch(const TestBatch& batch) override
  {
    std::vector<TestResult> results;
    for (const auto& test : batch) {
      results.push_back(run(test));
    }
    return results;
  }

private:
  TestResult run(const TestCase& test)
  {
    return testing::run_fake_test(m_log, m_shard, test.id, m_script);
  }

  int m_shard;
  FakeShardLog& m_log;
  OutcomeScript m_script;
  int m_dying_shard;
};

class StreamingFactory : public ShardSessionFactory
{
public:
  explicit StreamingFactory(OutcomeScript script = [](const std::string&, int) {
    return Outcome::k_passed;
  }, int dying_shard = 0)
    : m_script(std::move(script)),
      m_dying_shard(dying_shard)
  {
  }

  std::unique_ptr<ShardSession> open(int shard) override
  {
    return std::make_unique<StreamingSession>(shard, log, m_script, m_dying_shard);
  }

  FakeShardLog log;

private:
  OutcomeScript m_script;
  int m_dying_shard;
};

class TestFeedTest : public ::testing::Test
{
protected:
  void TearDown() override
  {
    reset_interrupts();  // -x requests a process-wide stop
  }
};

TEST_F(TestFeedTest, AStreamingShardGetsTestsOneAtATimeLongestFirst)
{
  StreamingFactory factory;
  auto queue = WorkQueue::make_dynamic(
    {{"short", Milliseconds(10)}, {"long", Milliseconds(900)}, {"middle", Milliseconds(300)}}, 1);
  const auto result = run_shards(queue, factory, {1, 0, 0});

  EXPECT_EQ(result.results.size(), 3u);
  EXPECT_EQ(factory.log.tests_by_shard[1], (std::vector<std::string>{"long", "middle", "short"}));
}

TEST_F(TestFeedTest, TestsGivenBackByALostWorkerRunExactlyOnce)
{
  StreamingFactory factory([](const std::string&, int) { return Outcome::k_passed; }, 1);
  auto queue = WorkQueue::make_dynamic(testing::make_tests(20), 2);
  const auto result = run_shards(queue, factory, {2, 0, 0});

  EXPECT_EQ(result.results.size(), 20u);
  EXPECT_TRUE(result.not_run.empty());
  for (const auto& [id, attempts] : factory.log.attempts) {
    EXPECT_EQ(attempts, 1) << id;
  }
  EXPECT_EQ(factory.log.attempts.size(), 20u);
}

TEST_F(TestFeedTest, AFailedTestRunsAgainInTheSameShardAndPassingMakesItFlaky)
{
  StreamingFactory factory([](const std::string& id, int attempt) {
    return id == "test_3" && attempt == 1 ? Outcome::k_failed : Outcome::k_passed;
  });
  auto queue = WorkQueue::make_dynamic(testing::make_tests(8), 2);
  const auto result = run_shards(queue, factory, {2, 0, 1});

  ASSERT_EQ(result.results.size(), 8u);
  for (const auto& test : result.results) {
    EXPECT_EQ(test.outcome, Outcome::k_passed) << test.id;
    if (test.id == "test_3") {
      EXPECT_TRUE(test.flaky);
      EXPECT_EQ(test.attempts, 2);
      const auto& ran = factory.log.tests_by_shard[test.shard];
      EXPECT_EQ(std::count(ran.begin(), ran.end(), "test_3"), 2) << "rerun on another shard";
    }
  }
}

TEST_F(TestFeedTest, ExitFirstEndsTheFeedAfterTheFailingTest)
{
  StreamingFactory factory([](const std::string& id, int) {
    return id == "test_2" ? Outcome::k_failed : Outcome::k_passed;
  });
  auto queue = WorkQueue::make_dynamic(testing::make_tests(10), 1);
  const auto result = run_shards(queue, factory, {1, 1, 0});

  EXPECT_TRUE(result.stopped_early);
  // test_0..test_2 ran; the two the shard held queued are reported not run with the rest.
  EXPECT_EQ(factory.log.tests_by_shard[1].size(), 3u);
  EXPECT_EQ(result.results.size(), 3u);
  EXPECT_EQ(result.not_run.size(), 7u);
}

TEST(WorkQueueTakeOneTest, StaticListIsHandedOutInOrderAndGivenBackTestsComeFirst)
{
  auto queue = WorkQueue::make_static({{{"a", Milliseconds(1)}, {"b", Milliseconds(1)},
                                        {"c", Milliseconds(1)}}});
  EXPECT_EQ(queue.take_one(1)->id, "a");
  EXPECT_EQ(queue.take_one(1)->id, "b");
  ASSERT_TRUE(queue.requeue(1, {{"a", Milliseconds(1)}, {"b", Milliseconds(1)}}));
  EXPECT_EQ(queue.take_one(1)->id, "a");
  EXPECT_EQ(queue.take_one(1)->id, "b");
  EXPECT_EQ(queue.take_one(1)->id, "c");
  EXPECT_FALSE(queue.take_one(1).has_value());
}

}  // namespace
}  // namespace orchestrate
