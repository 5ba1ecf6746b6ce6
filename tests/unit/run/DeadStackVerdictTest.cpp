#include "run/DeadStackVerdict.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

using std::chrono::seconds;

const WallClock::time_point k_t0 = WallClock::time_point(std::chrono::hours(24 * 365 * 50));

TestResult result_of(const std::string& id, Outcome outcome, const std::string& message = "")
{
  TestResult result;
  result.id = id;
  result.outcome = outcome;
  result.message = message;
  return result;
}

ServiceDeath redis_died_at(WallClock::time_point when, WallClock::time_point noticed)
{
  return {"test-redis", "exited with code 0", when, noticed};
}

TEST(DeadStackVerdictTest, FailuresAfterTheDeathRunAgainAndOnlyTheTestInFlightIsCharged)
{
  // test_kill stops Redis 1.5 s in; test_a and test_b fail against the dead port; the shard
  // notices at 10 s.
  const std::vector<TestTimes> times{
    {"test_before", k_t0, k_t0 + seconds(1)},
    {"test_kill", k_t0 + seconds(1), k_t0 + seconds(2)},
    {"test_a", k_t0 + seconds(3), k_t0 + seconds(4)},
    {"test_pass", k_t0 + seconds(4), k_t0 + seconds(5)},
    {"test_b", k_t0 + seconds(5), k_t0 + seconds(6)},
  };
  std::vector<TestResult> results{
    result_of("test_before", Outcome::k_passed),
    result_of("test_kill", Outcome::k_failed, "ConnectionError"),
    result_of("test_a", Outcome::k_failed, "ConnectionError"),
    result_of("test_pass", Outcome::k_passed),
    result_of("test_b", Outcome::k_error, "ConnectionError in setup"),
  };
  const auto requeue = apply_service_deaths(
    times, {redis_died_at(k_t0 + seconds(1) + std::chrono::milliseconds(500), k_t0 + seconds(10))},
    results);

  EXPECT_EQ(requeue, (std::vector<std::string>{"test_a", "test_b"}));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].outcome, Outcome::k_passed);
  EXPECT_EQ(results[1].id, "test_kill");
  EXPECT_EQ(results[1].message, "test-redis exited with code 0 during this test: ConnectionError");
  EXPECT_EQ(results[2].id, "test_pass") << "a pass after the death keeps its result";
}

TEST(DeadStackVerdictTest, TestsThatStartedOnTheRecreatedStackKeepTheirFailures)
{
  const std::vector<TestTimes> times{{"test_late", k_t0 + seconds(20), k_t0 + seconds(21)}};
  std::vector<TestResult> results{result_of("test_late", Outcome::k_failed, "real failure")};
  const auto requeue =
    apply_service_deaths(times, {redis_died_at(k_t0, k_t0 + seconds(10))}, results);
  EXPECT_TRUE(requeue.empty());
  EXPECT_EQ(results.front().message, "real failure");
}

TEST(DeadStackVerdictTest, ADeathBetweenTestsChargesNobody)
{
  const std::vector<TestTimes> times{{"test_done", k_t0, k_t0 + seconds(1)}};
  std::vector<TestResult> results{result_of("test_done", Outcome::k_failed, "own failure")};
  apply_service_deaths(times, {redis_died_at(k_t0 + seconds(2), k_t0 + seconds(3))}, results);
  EXPECT_EQ(results.front().message, "own failure");
}

TEST(DeadStackVerdictTest, ADeathWithoutAKnownTimeChangesNothing)
{
  const std::vector<TestTimes> times{{"test_x", k_t0, std::nullopt}};
  std::vector<TestResult> results{result_of("test_x", Outcome::k_failed, "boom")};
  ServiceDeath gone{"test-postgres", "its container is gone", std::nullopt, k_t0 + seconds(5)};
  EXPECT_TRUE(apply_service_deaths(times, {gone}, results).empty());
  EXPECT_EQ(results.front().message, "boom");
}

TEST(ServiceDeathTest, ParsesDockerTimesToTheNanosecondAndRejectsTheZeroTime)
{
  const auto parsed = parse_docker_time("2026-12-01T21:10:03.123456789Z");
  ASSERT_TRUE(parsed);
  const auto since_epoch =
    std::chrono::duration_cast<std::chrono::microseconds>(parsed->time_since_epoch()).count();
  EXPECT_EQ(since_epoch, 1796159403123456LL);
  EXPECT_TRUE(parse_docker_time("2026-12-01T21:10:03Z"));
  EXPECT_FALSE(parse_docker_time("0001-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_docker_time("2026-12-01T21:10:03+01:00"));
  EXPECT_FALSE(parse_docker_time(""));
}

TEST(ServiceDeathTest, SaysHowAContainerEnded)
{
  EXPECT_EQ(describe_container_ending({"exited", 137, false, ""}),
            "exited with code 137 (SIGKILL: Killed)");
  EXPECT_EQ(describe_container_ending({"exited", 137, true, ""}), "OOM-killed (exit code 137)");
  EXPECT_EQ(describe_container_ending({"exited", 0, false, ""}), "exited with code 0");
}

}  // namespace
}  // namespace orchestrate
