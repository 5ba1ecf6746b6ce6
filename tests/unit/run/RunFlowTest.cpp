// The run's flow without Docker: the real scheduler and the real StackShardSession, with stacks
// from a fake provider and tests run by a fake runner (RunFlowFakes.hpp).

#include "RunFlowFakes.hpp"
#include "support/TempDir.hpp"
#include "process/SignalState.hpp"
#include "run/StackShardSession.hpp"
#include "scheduling/Scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <future>

namespace orchestrate {
namespace {

using testing::FakeRun;
using testing::FakeStackProvider;
using testing::FakeTestRunner;
using testing::RecordedEvents;

std::vector<TestCase> make_tests(int count)
{
  std::vector<TestCase> tests;
  for (int i = 0; i < count; ++i) {
    tests.push_back({"t.py::test_" + std::to_string(i), Milliseconds(100)});
  }
  return tests;
}

Outcome pass(const FakeRun&)
{
  return Outcome::k_passed;
}

class RunFlowTest : public ::testing::Test
{
protected:
  RunFlowTest()
  {
    FixtureConfig db;
    db.name = "db";
    db.service = "test-db";
    db.environment = {{"DB_PORT", "{port}"}};
    m_settings.run_id = "run-1";
    m_settings.run_dir = m_dir.path();
    m_settings.fixtures = {db};
  }

  void TearDown() override
  {
    reset_interrupts();  // an interrupt or -x requests a process-wide stop: never leak it
  }

  // Runs `tests` on `shards` shards of real StackShardSessions.
  ScheduleResult run(FakeTestRunner& runner, const std::vector<TestCase>& tests, int shards)
  {
    std::promise<int> shard_count;
    shard_count.set_value(shards);
    m_settings.parallel = shards;
    const ShardServices services{runner, events, &provider, nullptr,
                                 shard_count.get_future().share()};
    StackShardSessionFactory factory(m_settings, services);
    auto queue = WorkQueue::make_dynamic(tests, shards);
    return run_shards(queue, factory, SchedulerOptions{shards, 0, 0}, events);
  }

  FakeStackProvider provider{"db"};
  RecordedEvents events;

private:
  TempDir m_dir;
  ShardSettings m_settings;
};

TEST_F(RunFlowTest, EachShardReportsOpeningStackUpReadyThenTearingDownAndClosed)
{
  FakeTestRunner runner(pass);
  const auto result = run(runner, make_tests(8), 2);

  EXPECT_EQ(result.results.size(), 8u);
  EXPECT_TRUE(result.shard_errors.empty());
  for (int shard = 1; shard <= 2; ++shard) {
    EXPECT_EQ(events.lines_of(shard),
              (std::vector<std::string>{"opening " + std::to_string(shard),
                                        "stack up " + std::to_string(shard),
                                        "ready " + std::to_string(shard),
                                        "tearing down " + std::to_string(shard),
                                        "closed " + std::to_string(shard)}));
  }
  // Every result reached the sink as the scheduler recorded it.
  EXPECT_EQ(events.results().size(), 8u);
  EXPECT_EQ(provider.log.up_now, 0);
}

TEST_F(RunFlowTest, TestsSeeTheirShardsStackThroughTheFixturesVariables)
{
  FakeTestRunner runner(pass);
  run(runner, make_tests(6), 2);

  for (const auto& run : runner.runs()) {
    const int shard = std::stoi(run.environment.at("ORCHESTRATE_SHARD_INDEX"));
    EXPECT_EQ(run.environment.at("DB_PORT"), std::to_string(testing::fake_port(shard, 1)))
      << run.id;
    EXPECT_EQ(run.environment.at("COMPOSE_PROJECT_NAME"), "fake-s" + std::to_string(shard));
    EXPECT_EQ(run.environment.at("ORCHESTRATE_SHARD_COUNT"), "2");
  }
}

TEST_F(RunFlowTest, AStackThatCannotComeUpFailsItsShardAndTheOtherShardsRunEveryTest)
{
  provider.log.failing_up = {2};
  FakeTestRunner runner(pass);
  const auto result = run(runner, make_tests(12), 3);

  EXPECT_EQ(result.results.size(), 12u);
  EXPECT_TRUE(result.not_run.empty());
  for (const auto& test : result.results) {
    EXPECT_EQ(test.outcome, Outcome::k_passed) << test.id;
    EXPECT_NE(test.shard, 2) << test.id;
  }
  ASSERT_EQ(result.shard_errors.size(), 1u);
  EXPECT_EQ(result.shard_errors.front().shard, 2);
  EXPECT_NE(result.shard_errors.front().message.find("compose up of fake-s2 failed"),
            std::string::npos)
    << result.shard_errors.front().message;
  // The failed shard is closed with its error (for the report), then shown as failed; its
  // half-started stack was released.
  const auto shard_two = events.lines_of(2);
  ASSERT_EQ(shard_two.size(), 3u) << ::testing::PrintToString(shard_two);
  EXPECT_EQ(shard_two[0], "opening 2");
  EXPECT_EQ(shard_two[1], "closed 2 (error)");
  EXPECT_EQ(shard_two[2].rfind("failed 2: compose up of fake-s2 failed", 0), 0u) << shard_two[2];
  EXPECT_EQ(provider.log.up_now, 0);
  EXPECT_NE(std::find(provider.log.released.begin(), provider.log.released.end(), "fake-s2#1"),
            provider.log.released.end());
}

TEST_F(RunFlowTest, AStackThatBreaksMidRunIsRecreatedAndTheNextTestsUseTheNewOne)
{
  // The second test to run crashes its database (a test killing a service). Batches are of 4
  // tests: the first 4 runs use the first stack, the rest its replacement.
  std::atomic<int> ran{0};
  std::string broken_by;
  FakeTestRunner runner([&](const FakeRun& run) {
    if (++ran == 2) {
      broken_by = run.id;
      provider.log.break_stack_of(1);
      return Outcome::k_failed;
    }
    return Outcome::k_passed;
  });
  const auto result = run(runner, make_tests(8), 1);

  ASSERT_EQ(result.results.size(), 8u);
  EXPECT_TRUE(result.shard_errors.empty());
  for (const auto& test : result.results) {
    EXPECT_EQ(test.outcome, test.id == broken_by ? Outcome::k_failed : Outcome::k_passed)
      << test.id;
  }
  EXPECT_EQ(provider.log.provided[1], 2);
  EXPECT_EQ(provider.log.released, (std::vector<std::string>{"fake-s1#1", "fake-s1#2"}));
  const auto lines = events.lines();
  const bool said = std::any_of(lines.begin(), lines.end(), [](const std::string& line) {
    return line.find("message [shard 1] stack fake-s1 became unhealthy (db: exited with code 137)"
                     ": recreating it") == 0;
  });
  EXPECT_TRUE(said) << ::testing::PrintToString(lines);
  ASSERT_EQ(events.closed().size(), 1u);
  EXPECT_EQ(events.closed().front().stack_recreations, 1);
  // The tests after the batch that broke it reach the new stack's port.
  const auto runs = runner.runs();
  ASSERT_EQ(runs.size(), 8u);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const int stack = i < 4 ? 1 : 2;
    EXPECT_EQ(runs[i].environment.at("DB_PORT"), std::to_string(testing::fake_port(1, stack)))
      << runs[i].id;
  }
}

TEST_F(RunFlowTest, AStackThatCannotBeRecreatedFailsTheRestOfItsShardsTests)
{
  std::atomic<int> ran{0};
  FakeTestRunner runner([&](const FakeRun&) {
    if (++ran == 1) {
      provider.log.break_stack_of(1);
      std::lock_guard lock(provider.log.mutex);
      provider.log.failing_up = {1};  // its replacement will not come up
      return Outcome::k_failed;
    }
    return Outcome::k_passed;
  });
  const auto result = run(runner, make_tests(8), 1);

  ASSERT_EQ(result.results.size(), 8u);
  int without_stack = 0;
  for (const auto& test : result.results) {
    if (test.message.find("the shard's stack could not be recreated") != std::string::npos) {
      ++without_stack;
    }
  }
  EXPECT_EQ(without_stack, 4);  // the second batch of 4: none of it ran
  EXPECT_EQ(runner.runs().size(), 4u);
  const auto lines = events.lines_of(1);
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& line) {
    return line.rfind("failed 1: the shard's stack could not be recreated", 0) == 0;
  })) << ::testing::PrintToString(lines);
  EXPECT_EQ(provider.log.up_now, 0);
}

TEST_F(RunFlowTest, AnInterruptStopsEveryShardAndLeavesNoStackUp)
{
  std::atomic<int> ran{0};
  FakeTestRunner runner([&](const FakeRun&) {
    if (++ran == 3) {
      simulate_interrupts(1, SIGINT);
    }
    return Outcome::k_passed;
  });
  const auto tests = make_tests(40);
  const auto result = run(runner, tests, 2);

  EXPECT_TRUE(result.interrupted);
  EXPECT_FALSE(result.not_run.empty());
  EXPECT_EQ(result.results.size() + result.not_run.size(), tests.size());
  for (const auto& test : result.results) {
    EXPECT_EQ(test.outcome, Outcome::k_passed) << test.id << ": " << test.message;
  }
  EXPECT_EQ(provider.log.up_now, 0);
  // Every shard that opened was closed, torn down first.
  for (const auto& timing : events.closed()) {
    const auto lines = events.lines_of(timing.shard);
    ASSERT_GE(lines.size(), 2u);
    EXPECT_EQ(lines[lines.size() - 2], "tearing down " + std::to_string(timing.shard));
  }
  EXPECT_EQ(events.closed().size(), provider.log.provided.size());
}

}  // namespace
}  // namespace orchestrate
