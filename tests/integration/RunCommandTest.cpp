#include "OrchestrateCli.hpp"
#include "docker/DockerEngine.hpp"
#include "reporting/JsonReport.hpp"

#include <atomic>
#include <chrono>
#include <gtest/gtest.h>
#include <thread>

namespace orchestrate {
namespace {

using testing::k_source_dir;
using testing::run_orchestrate;
using testing::ScratchProject;

constexpr const char* k_failing_test = R"(import os
import psycopg2


def test_database_answers():
    connection = psycopg2.connect(os.environ["DATABASE_URL"])
    cursor = connection.cursor()
    cursor.execute("select 1")
    assert cursor.fetchone()[0] == 1


def test_arithmetic_is_broken():
    assert 1 + 1 == 3, "deliberate failure"
)";

TEST(RunCommandTest, FailingTestGivesExitOneShowsTheFailureAndLeavesNothing)
{
  ScratchProject project;
  DockerCleanup safety_net(project.label());
  project.write("suites/failing.yaml", "paths: [suites/failing]\nfixtures: [postgres]\n");
  project.write("suites/failing/test_failing.py", k_failing_test);

  const auto run = project.run({"--suite", "failing", "--parallel", "2"});

  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("FAILURES"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("test_arithmetic_is_broken"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("deliberate failure"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("1 failed, 1 passed in"), std::string::npos) << run.output;
  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

// A run lints its stack before anything starts: a policy violation is a usage error naming
// file:line and the rule, and no container is created.
TEST(RunCommandTest, StackBreakingThePolicyIsAUsageErrorBeforeAnythingStarts)
{
  ScratchProject project;
  DockerCleanup safety_net(project.label());
  project.write("compose.yml", R"(services:
  fixed:
    image: orchestrate/busybox:latest
    container_name: always-the-same
    command: ["sleep", "600"]
    ports: ["127.0.0.1::8080"]
    deploy: {resources: {limits: {memory: 32M, cpus: "0.2"}}}
    logging: {driver: json-file, options: {max-size: 1m}}
)");
  project.write_orchestrate_yaml((project.root() / "compose.yml").string());
  project.write("fixtures/fixed.yaml", "service: fixed\nport: 8080\nreadiness: {kind: port}\n");
  project.write("suites/fixed.yaml",
                "runner: command\nfixtures: [fixed]\ncommands:\n  - {name: t, run: [\"true\"]}\n");

  const auto run = project.run({"--suite", "fixed"});

  EXPECT_EQ(run.exit_code, 4) << run.output;
  EXPECT_NE(run.output.find("compose.yml:4: [container-name] service 'fixed'"), std::string::npos)
    << run.output;
  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
  EXPECT_TRUE(run_docker({"ps", "-aq", "--filter", "name=always-the-same"}).empty());
}

TEST(RunCommandTest, NeverHealthyServiceFailsWithinTheReadinessTimeoutShowingItsLogs)
{
  ScratchProject project;
  DockerCleanup safety_net(project.label());
  project.write("compose.yml", R"(services:
  sick:
    image: orchestrate/busybox:latest
    command: ["sh", "-c", "echo sick-service-says-hello; exec sleep 600"]
    stop_signal: SIGKILL
    ports: ["127.0.0.1::8080"]
    healthcheck: {test: ["CMD", "false"], interval: 1s, retries: 600}
    deploy: {resources: {limits: {memory: 32M, cpus: "0.2"}}}
    logging: {driver: json-file, options: {max-size: 1m}}
)");
  project.write_orchestrate_yaml((project.root() / "compose.yml").string(), "3s");
  project.write("fixtures/sick.yaml", "service: sick\nport: 8080\n");
  project.write("suites/sick.yaml",
                "runner: command\nfixtures: [sick]\ncommands:\n  - {name: t, run: [\"true\"]}\n");

  const auto started = std::chrono::steady_clock::now();
  const auto run = project.run({"--suite", "sick"});
  const auto elapsed = std::chrono::steady_clock::now() - started;

  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("'sick'"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("was not ready within 3.00s"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("sick-service-says-hello"), std::string::npos) << run.output;
  // The bound is the feature: a 3 s readiness timeout must not turn into minutes.
  EXPECT_LT(elapsed, std::chrono::seconds(60));
  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

TEST(RunCommandTest, ParallelTenRunsTenShardsToCompletionAndLeavesNothing)
{
  TempDir reports;
  const auto report_file = reports.path() / "report.json";
  const auto run = run_orchestrate({"--suite", "integration", "--parallel", "10", "-q",
                                    "--report-json", report_file.string()});
  ASSERT_EQ(run.exit_code, 0) << run.output;

  const auto report = read_json_report(report_file);
  EXPECT_EQ(report.shards.size(), 10u);
  int tests_run = 0;
  for (const auto& shard : report.shards) {
    EXPECT_TRUE(shard.error.empty()) << shard.error;
    // Every shard brought its own stack up and gated it; with dynamic dispatch a shard whose
    // stack came up last may find the queue already empty, so it need not have run tests.
    EXPECT_GT(shard.ready.count(), 0) << "shard " << shard.shard << " never became ready";
    EXPECT_FALSE(shard.project.empty());
    tests_run += shard.tests_run;
  }
  EXPECT_GE(report.counts.passed, 40);
  EXPECT_EQ(report.counts.failed + report.counts.errors, 0);
  EXPECT_EQ(tests_run, report.counts.passed + report.counts.skipped);
  const auto left = leftovers_with_label("io.orchestrate.run=" + report.run_id);
  EXPECT_TRUE(left.empty()) << left.describe();
}

TEST(RunCommandTest, StaticDistributionGivesEveryShardAnExplicitShareOfTheTests)
{
  TempDir reports;
  const auto report_file = reports.path() / "report.json";
  const auto run = run_orchestrate({"--suite", "integration", "--parallel", "4", "--dist",
                                    "static", "-q", "--report-json", report_file.string()});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto report = read_json_report(report_file);
  ASSERT_EQ(report.shards.size(), 4u);
  int tests_run = 0;
  for (const auto& shard : report.shards) {
    EXPECT_GT(shard.tests_run, 0) << "shard " << shard.shard << " ran nothing";
    tests_run += shard.tests_run;
  }
  EXPECT_EQ(tests_run, report.counts.passed + report.counts.skipped);
  EXPECT_TRUE(leftovers_with_label("io.orchestrate.run=" + report.run_id).empty());
}

TEST(RunCommandTest, SuiteWithoutFixturesStartsNoContainer)
{
  DockerEngine engine;
  std::atomic<bool> stop{false};
  std::atomic<int> creations{0};
  // The engine replays the current second's events to a new subscriber: a container the previous
  // test created moments ago would count. Only what arrives once the run starts counts.
  std::atomic<bool> counting{false};
  std::thread watcher([&] {
    engine.watch_container_events({"io.orchestrate.managed=true"},
                                  [&](const ContainerEvent& event) {
                                    if (counting && event.action == "create") {
                                      ++creations;
                                    }
                                    return true;
                                  },
                                  stop);
  });
  // Give the event stream a moment to connect (and replay) before the run starts.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  counting = true;

  TempDir reports;
  const auto run = run_orchestrate(
    {"--suite", "unit", "--parallel", "4", "--report-json", (reports.path() / "r.json").string()});
  stop = true;
  watcher.join();

  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(creations.load(), 0);
  for (const auto& shard : read_json_report(reports.path() / "r.json").shards) {
    EXPECT_TRUE(shard.project.empty()) << shard.project;
  }
}

TEST(RunCommandTest, UnknownSuiteIsAUsageErrorListingTheSuites)
{
  const auto run = run_orchestrate({"--suite", "no-such-suite"});
  EXPECT_EQ(run.exit_code, 4) << run.output;
  EXPECT_NE(run.output.find("integration"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("unit"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace orchestrate
