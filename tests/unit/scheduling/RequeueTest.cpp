#include "FakeShards.hpp"
#include "process/SignalState.hpp"
#include "scheduling/Scheduler.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

using testing::FakeShardLog;
using testing::make_tests;

// A shard whose stack dies under the first batch it runs: that batch's tests come back through
// take_requeued() instead of as results, as StackShardSession hands back the tests that ran
// against a dead service.
class DyingStackSession : public ShardSession
{
public:
  explicit DyingStackSession(FakeShardLog& log) : m_log(log)
  {
  }

  std::vector<TestResult> run_batch(const TestBatch& batch) override
  {
    std::vector<TestResult> results;
    for (const auto& test : batch) {
      {
        std::lock_guard lock(m_log.mutex);
        ++m_log.attempts[test.id];
      }
      if (!m_died) {
        handed_back.insert(test.id);
        TestCase again = test;
        ++again.requeues;
        m_requeued.push_back(again);
        continue;
      }
      TestResult result;
      result.id = test.id;
      result.outcome = Outcome::k_passed;
      results.push_back(result);
    }
    m_died = true;
    return results;
  }

  std::vector<TestCase> take_requeued() override
  {
    return std::exchange(m_requeued, {});
  }

  static inline std::set<std::string> handed_back;

private:
  FakeShardLog& m_log;
  bool m_died = false;
  std::vector<TestCase> m_requeued;
};

class DyingStackFactory : public ShardSessionFactory
{
public:
  FakeShardLog log;

  std::unique_ptr<ShardSession> open(int) override
  {
    return std::make_unique<DyingStackSession>(log);
  }
};

TEST(RequeueTest, TestsHandedBackByAShardRunAgainAndAreNotCharged)
{
  for (const bool dynamic : {true, false}) {
    DyingStackSession::handed_back.clear();
    DyingStackFactory factory;
    auto queue = dynamic ? WorkQueue::make_dynamic(make_tests(6), 1)
                         : WorkQueue::make_static({make_tests(6)});
    const auto result = run_shards(queue, factory, {1, 0, 0});

    ASSERT_EQ(result.results.size(), 6u) << (dynamic ? "dynamic" : "static");
    for (const auto& test_result : result.results) {
      EXPECT_EQ(test_result.outcome, Outcome::k_passed) << test_result.id;
    }
    EXPECT_TRUE(result.not_run.empty());
    // The first batch's tests came back and ran a second time; the others ran once.
    ASSERT_FALSE(DyingStackSession::handed_back.empty());
    for (const auto& [id, attempts] : factory.log.attempts) {
      EXPECT_EQ(attempts, DyingStackSession::handed_back.count(id) != 0 ? 2 : 1) << id;
    }
  }
}

TEST(RequeueTest, AStoppedQueueTakesNothingBack)
{
  auto queue = WorkQueue::make_dynamic(make_tests(2), 1);
  EXPECT_TRUE(queue.requeue(1, {{"test_again", Milliseconds(1), 1}}));
  const auto left = queue.stop();
  EXPECT_EQ(left.front().id, "test_again") << "a requeued test is next in line";
  EXPECT_FALSE(queue.requeue(1, {{"test_late", Milliseconds(1), 1}}));
  EXPECT_FALSE(queue.take_one(1));
}

}  // namespace
}  // namespace orchestrate
