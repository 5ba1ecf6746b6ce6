// The pytest-style controls end to end through the real binary: reruns and flaky tests, -x,
// --maxfail, --shard I/N, and --keep-on-failure followed by cleanup.

#include "OrchestrateCli.hpp"
#include "reporting/JsonReport.hpp"
#include "reporting/JunitXml.hpp"

#include <gtest/gtest.h>
#include <set>

namespace orchestrate {
namespace {

using testing::ScratchProject;

// Ten tests; test_03 and test_07 fail. No services, so these runs start no stack.
constexpr const char* k_ten_tests = R"(import pytest


@pytest.mark.parametrize("n", range(10))
def test_number(n):
    assert n not in (3, 7), f"number {n} is broken"
)";

class HarnessTest : public ::testing::Test
{
protected:
  HarnessTest()
  {
    project.write("suites/ten.yaml", "paths: [suites/ten]\n");
    project.write("suites/ten/test_ten.py", k_ten_tests);
  }

  RunReport report_of(const std::vector<std::string>& arguments, testing::CliRun& run)
  {
    const auto file = project.root() / "report.json";
    auto all = arguments;
    all.insert(all.end(), {"--report-json", file.string()});
    run = project.run(all);
    return read_json_report(file);
  }

  ScratchProject project;
};

TEST_F(HarnessTest, RerunsReportATestThatPassesOnRetryAsFlaky)
{
  const auto marker = project.root() / "failed-once";
  project.write("suites/flaky.yaml", "paths: [suites/flaky]\n");
  project.write("suites/flaky/test_flaky.py",
                "import os\n\n\ndef test_flaky():\n"
                "    if not os.path.exists('" + marker.string() + "'):\n"
                "        open('" + marker.string() + "', 'w').close()\n"
                "        assert False, 'first attempt fails'\n\n\n"
                "def test_steady():\n    assert True\n");
  const auto junit = project.root() / "junit.xml";
  const auto run = project.run({"--suite", "flaky", "--reruns", "2", "--junit-xml", junit.string()});

  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("FLAKY"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("2 passed, 1 flaky, 1 rerun in"), std::string::npos) << run.output;
  bool found = false;
  for (const auto& result : read_junit_xml(junit)) {
    if (result.name == "test_flaky") {
      found = true;
      EXPECT_TRUE(result.flaky);
      EXPECT_EQ(result.attempts, 2);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(HarnessTest, ExitFirstStopsAtTheFirstFailureAndReportsWhatDidNotRun)
{
  testing::CliRun run;
  const auto report = report_of({"--suite", "ten", "-x", "--parallel", "1"}, run);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_EQ(report.counts.failed, 1) << run.output;
  EXPECT_GT(report.counts.not_run, 0) << run.output;
  EXPECT_EQ(report.counts.passed + report.counts.failed + report.counts.not_run, 10);
  EXPECT_NE(run.output.find("not run"), std::string::npos) << run.output;
}

// All ten tests go to the one shard in one batch (a second each, in collection order): -x must stop
// that batch at test 3, not let it run to its end.
TEST_F(HarnessTest, ExitFirstStopsTheRunningBatchAtTheFailure)
{
  project.write("suites/slow_ten.yaml", "paths: [suites/slow_ten]\n");
  project.write("suites/slow_ten/test_slow_ten.py",
                "import time\n\nimport pytest\n\n\n@pytest.mark.parametrize('n', range(10))\n"
                "def test_number(n):\n    time.sleep(1)\n    assert n != 3\n");
  testing::CliRun run;
  const auto report =
    report_of({"--suite", "slow_ten", "-x", "--parallel", "1", "--dist", "static"}, run);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_EQ(report.counts.passed, 3) << run.output;
  EXPECT_EQ(report.counts.failed, 1) << run.output;
  EXPECT_EQ(report.counts.not_run, 6) << run.output;
}

TEST_F(HarnessTest, MaxFailStopsAfterThatManyFailures)
{
  project.write("suites/broken.yaml", "paths: [suites/broken]\n");
  project.write("suites/broken/test_broken.py",
                "import pytest\n\n\n@pytest.mark.parametrize('n', range(8))\n"
                "def test_broken(n):\n    assert False\n");
  testing::CliRun run;
  const auto report = report_of({"--suite", "broken", "--maxfail", "2", "--parallel", "1"}, run);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_GE(report.counts.failed, 2) << run.output;
  EXPECT_LT(report.counts.failed, 8) << run.output;
  EXPECT_EQ(report.counts.failed + report.counts.not_run, 8) << run.output;
}

TEST_F(HarnessTest, TwoCiShardsTogetherRunEveryTestExactlyOnce)
{
  std::multiset<std::string> ran;
  for (const auto* shard : {"1/2", "2/2"}) {
    testing::CliRun run;
    const auto report = report_of({"--suite", "ten", "--shard", shard}, run);
    EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.output;
    EXPECT_GT(report.tests.size(), 0u) << shard;
    for (const auto& test : report.tests) {
      ran.insert(test.id);
    }
  }
  EXPECT_EQ(ran.size(), 10u);
  EXPECT_EQ(std::set<std::string>(ran.begin(), ran.end()).size(), 10u);
}

TEST_F(HarnessTest, KeepOnFailureLeavesTheStackUpAndCleanupRemovesIt)
{
  DockerCleanup safety_net(project.label());
  project.write("suites/failing.yaml", "paths: [suites/failing]\nfixtures: [postgres]\n");
  project.write("suites/failing/test_failing.py", "def test_fails():\n    assert False\n");

  const auto run = project.run({"--suite", "failing", "--keep-on-failure"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("kept stack"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("DATABASE_URL=postgresql://"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("orchestrate cleanup"), std::string::npos) << run.output;
  EXPECT_FALSE(leftovers_with_label(project.label()).containers.empty());

  // Its owner (the run) has exited, so cleanup finds it.
  const auto cleanup = testing::run_orchestrate({"cleanup", "-C", project.root().string()});
  EXPECT_EQ(cleanup.exit_code, 0) << cleanup.output;
  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

// The first test shuts Redis down (its container exits) and then crashes its pytest process. The
// shard must notice the broken stack before the rest of the batch goes on, recreate it, and the
// later tests must find a working Redis at the new address.
constexpr const char* k_stack_breaking_tests = R"(import os
import time

import redis


def client():
    return redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=5)


def test_1_takes_redis_down_and_crashes():
    try:
        client().shutdown(nosave=True)
    except redis.exceptions.ConnectionError:
        pass  # the server closes the connection as it goes
    # Crash only once Redis is really gone and its container has had time to exit, as when a
    # crash takes a service down with it; an earlier check would still see it running.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            client().ping()
        except redis.exceptions.ConnectionError:
            break
        time.sleep(0.1)
    time.sleep(1)
    os._exit(3)


def test_2_redis_answers_after_the_crash():
    assert client().ping()


def test_3_redis_still_answers():
    client().set("k", "v")
    assert client().get("k") == b"v"
)";

TEST_F(HarnessTest, CrashThatBreaksTheStackMakesTheShardRecreateIt)
{
  DockerCleanup safety_net(project.label());
  project.write("suites/breaking.yaml", "paths: [suites/breaking]\nfixtures: [redis]\n");
  project.write("suites/breaking/test_breaking.py", k_stack_breaking_tests);

  testing::CliRun run;
  const auto report = report_of({"--suite", "breaking", "--parallel", "1"}, run);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  // The message names the service and how it ended ("test-redis exited with code 0" once the
  // shard has asked the engine, "test-redis: exited" when it could not).
  EXPECT_NE(run.output.find("became unhealthy (test-redis"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("): recreating it"), std::string::npos) << run.output;
  EXPECT_EQ(report.counts.failed, 1) << run.output;
  EXPECT_EQ(report.counts.passed, 2) << run.output;
  for (const auto& test : report.tests) {
    if (test.id.find("test_1_") != std::string::npos) {
      EXPECT_NE(test.message.find("crashed"), std::string::npos) << test.message;
    }
  }
  ASSERT_EQ(report.shards.size(), 1u);
  EXPECT_EQ(report.shards.front().stack_recreations, 1);
  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

}  // namespace
}  // namespace orchestrate
