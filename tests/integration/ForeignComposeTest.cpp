// Projects as other teams write them (tests/projects/*): compose files that publish their ports on
// every interface or not at all, a one-shot migration service, and a policy that waives a rule.
// Each runs the real orchestrate against the real engine under a unique project prefix.

#include "OrchestrateCli.hpp"
#include "support/Eventually.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace orchestrate {
namespace {

using testing::ScratchProject;

std::string read_text(const std::filesystem::path& path)
{
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `text` with the first `from` replaced by `to`; fails the test when `from` is not in it.
std::string replaced(std::string text, const std::string& from, const std::string& to)
{
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

// `orchestrate <arguments> -C <project>`, for commands other than run (their name comes first).
testing::CliRun command(const ScratchProject& project, std::vector<std::string> arguments)
{
  arguments.insert(arguments.end(), {"-C", project.root().string()});
  return testing::run_orchestrate(arguments);
}

void expect_nothing_left(const ScratchProject& project)
{
  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

// `ports: ["5432"]` and `ports: ["6379"]` bind 0.0.0.0 and [::] on engine 20.10, each from its
// own pool of ephemeral ports. One container that publishes on 0.0.0.0 only (any other project's
// `"0.0.0.0::80"`) moves the IPv4 pool ahead, and from then on every all-interface service gets two
// different host ports (0.0.0.0:32790, [::]:32789), the IPv6 one being another container's IPv4
// port. Each shard's first test writes its shard index into Postgres and Redis and every later
// test checks that it finds only its own: a shard handed another stack's port fails.
TEST(ForeignComposeTest, AllInterfacePortsReachEachShardsOwnStackInFiveRunsAtParallelFour)
{
  ScratchProject project("all-interfaces");
  DockerCleanup safety_net(project.label());
  const std::string probe_label = "io.orchestrate.test-probe=" + project.prefix();
  DockerCleanup probe_cleanup(probe_label);
  run_docker({"run", "-d", "--label", probe_label, "-p", "0.0.0.0::80",
              "orchestrate/busybox:latest", "sleep", "600"});
  for (int run = 1; run <= 5; ++run) {
    const auto result = project.run({"--suite", "integration", "--parallel", "4", "-q"});
    ASSERT_EQ(result.exit_code, 0) << "run " << run << ":\n" << result.output;
    EXPECT_NE(result.output.find("12 passed"), std::string::npos) << result.output;
    expect_nothing_left(project);
  }
}

// Orchestrate publishes each fixture's port itself: a compose file needs no `ports`, and a fixture
// gated on an open port works without a healthcheck. The log-rotation rule, at level warn in the
// project's policy, is printed and the run goes on.
TEST(ForeignComposeTest, ComposeFileWithoutPortsPassesAndAWarnLevelRuleIsPrinted)
{
  ScratchProject project("no-ports");
  DockerCleanup safety_net(project.label());

  const auto result = project.run({"--suite", "checks", "--parallel", "2"});

  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("2 passed"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("warning: "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("[log-rotation]"), std::string::npos) << result.output;
  expect_nothing_left(project);
}

// A fixture whose service cannot publish a port is found in the compose model: exit 4 naming the
// fixture file and line, before any stack starts.
TEST(ForeignComposeTest, FixturePortOfAHostNetworkServiceIsAConfigErrorBeforeAnyStackStarts)
{
  ScratchProject project("no-ports");
  DockerCleanup safety_net(project.label());
  project.write("compose.yaml", replaced(read_text(project.root() / "compose.yaml"),
                                         "    mem_limit: 64m\n",
                                         "    mem_limit: 64m\n    network_mode: host\n"));

  const auto result = project.run({"--suite", "checks", "--parallel", "2"});

  EXPECT_EQ(result.exit_code, 4) << result.output;
  EXPECT_NE(result.output.find("fixtures/redis.yaml:3: service 'redis' has network_mode 'host'"),
            std::string::npos)
    << result.output;
  expect_nothing_left(project);
}

// The migration (restart: "no") creates the table and exits 0: it counts as complete, and the
// tests run once it is done.
TEST(ForeignComposeTest, OneShotMigrationCountsAsCompleteAndRunsBeforeTheTests)
{
  ScratchProject project("one-shot");
  DockerCleanup safety_net(project.label());

  const auto result = project.run({"--suite", "orders", "--parallel", "2"});

  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("2 passed"), std::string::npos) << result.output;
  expect_nothing_left(project);
}

// After a failed batch the shard checks its stack; the migration, exited 0 long before, is not a
// dead service: the stack is kept, not recreated.
TEST(ForeignComposeTest, CompletedMigrationDoesNotMakeTheShardRecreateItsStackAfterAFailure)
{
  ScratchProject project("one-shot");
  DockerCleanup safety_net(project.label());
  project.write("suites/orders/test_failing.py",
                "def test_a_deliberate_failure():\n    assert False, \"deliberate\"\n");

  const auto result = project.run({"--suite", "orders", "--parallel", "1"});

  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("1 failed, 2 passed"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("recreating"), std::string::npos) << result.output;
  expect_nothing_left(project);
}

// A migration that exits 1 fails the stack with its own log lines; nothing is left.
TEST(ForeignComposeTest, FailingMigrationFailsTheStackWithItsLogAndLeavesNothing)
{
  ScratchProject project("one-shot");
  DockerCleanup safety_net(project.label());
  project.write("docker-compose.yml",
                replaced(read_text(project.root() / "docker-compose.yml"),
                         "echo \"migration 0001_create_orders: done\"",
                         "echo \"migration 0002_add_index: sku column missing\"; exit 1"));

  const auto result = project.run({"--suite", "orders", "--parallel", "1"});

  EXPECT_NE(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("service 'migrate' (a one-shot service) failed: exit code 1"),
            std::string::npos)
    << result.output;
  EXPECT_NE(result.output.find("migration 0002_add_index: sku column missing"), std::string::npos)
    << result.output;
  EXPECT_EQ(result.output.find(" passed"), std::string::npos) << result.output;
  expect_nothing_left(project);
}

// A fixed host port for a fixture's port ("15432:5432") is replaced in the test stacks, so two
// shards cannot collide on it, and lint does not report it for the test environment.
TEST(ForeignComposeTest, FixedHostPortOfAFixturesPortCannotCollideBetweenShards)
{
  ScratchProject project("no-ports");
  DockerCleanup safety_net(project.label());
  project.write("compose.yaml", replaced(read_text(project.root() / "compose.yaml"),
                                         "    mem_limit: 192m\n",
                                         "    mem_limit: 192m\n    ports: [\"15432:5432\"]\n"));

  const auto lint = command(project, {"lint"});
  EXPECT_EQ(lint.exit_code, 0) << lint.output;
  EXPECT_EQ(lint.output.find("[fixed-host-port]"), std::string::npos) << lint.output;

  const auto result = project.run({"--suite", "checks", "--parallel", "2", "--dist", "static"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("2 passed"), std::string::npos) << result.output;
  expect_nothing_left(project);
}

// `orchestrate lint` reads the same `policy` as a run: off skips a rule, warn prints it and exits
// 0, and without the policy the same file is refused.
TEST(ForeignComposeTest, LintHonoursThePolicyLevelsOfOrchestrateYaml)
{
  ScratchProject waived("all-interfaces");
  const auto off = command(waived, {"lint"});
  EXPECT_EQ(off.exit_code, 0) << off.output;
  EXPECT_NE(off.output.find("lint: no violations in 1 compose file"), std::string::npos)
    << off.output;

  ScratchProject warned("no-ports");
  const auto warn = command(warned, {"lint"});
  EXPECT_EQ(warn.exit_code, 0) << warn.output;
  EXPECT_NE(warn.output.find("warning: "), std::string::npos) << warn.output;
  EXPECT_NE(warn.output.find("(2 of them at level warn"), std::string::npos) << warn.output;

  waived.write("orchestrate.yaml", replaced(read_text(waived.root() / "orchestrate.yaml"),
                                            "log-rotation: off", "log-rotation: error"));
  const auto strict = command(waived, {"lint"});
  EXPECT_EQ(strict.exit_code, 4) << strict.output;
  EXPECT_NE(strict.output.find("[log-rotation] service 'db'"), std::string::npos) << strict.output;

  waived.write("orchestrate.yaml", replaced(read_text(waived.root() / "orchestrate.yaml"),
                                            "log-rotation: error", "log-rotation: never"));
  const auto bad = command(waived, {"lint"});
  EXPECT_EQ(bad.exit_code, 4) << bad.output;
  EXPECT_NE(bad.output.find("orchestrate.yaml:8: 'policy.log-rotation' must be error, warn or "
                            "off, got 'never'"),
            std::string::npos)
    << bad.output;
}

// `env up` counts the migration that exited 0 as complete (and waits for it), and status says so.
TEST(ForeignComposeTest, EnvUpWaitsForTheOneShotMigrationAndCountsItComplete)
{
  ScratchProject project("one-shot");
  DockerCleanup safety_net(project.label());

  const auto up = command(project, {"env", "up", "--env", "dev"});
  EXPECT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(up.output.find("): up"), std::string::npos) << up.output;
  EXPECT_NE(up.output.find("completed"), std::string::npos) << up.output;

  const auto down = command(project, {"env", "down", "--env", "dev"});
  EXPECT_EQ(down.exit_code, 0) << down.output;
  expect_nothing_left(project);
}

// The fixture resets by recreating its database (the default), which wipes the migration's table:
// a warm stack must run the one-shot migration again before its next run's tests.
TEST(ForeignComposeTest, AWarmStackRunsTheOneShotMigrationAgainAfterItsReset)
{
  ScratchProject project("one-shot");
  DockerCleanup safety_net(project.label());
  const auto report = project.root() / "second.json";
  const auto first = project.run({"--suite", "orders", "--parallel", "2", "--reuse"});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto second =
    project.run({"--suite", "orders", "--parallel", "2", "--reuse", "--report-json", report.string()});
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("2 passed"), std::string::npos) << second.output;
  EXPECT_NE(read_text(report).find("\"warm_stack\": true"), std::string::npos) << read_text(report);
  EXPECT_EQ(command(project, {"pool", "down"}).exit_code, 0);
  expect_nothing_left(project);
}

// The project's conftest reads ORCHESTRATE_SHARD_INDEX at import (each shard marks its stack
// with it): a warm worker parked with another shard's index cannot serve a shard, so each shard
// claims the stack whose worker was parked with its own index, and adopts it.
TEST(ForeignComposeTest, ShardsThatReadTheirIndexAtImportAdoptTheWarmWorkersParkedWithIt)
{
  ScratchProject project("all-interfaces");
  DockerCleanup safety_net(project.label());
  const auto report = project.root() / "second.json";
  const auto first = project.run({"--suite", "integration", "--parallel", "4", "--reuse"});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  // Until every warm worker has collected, as a developer's pause between two runs gives them.
  ASSERT_TRUE(eventually(
    [&] {
      const auto status = command(project, {"pool", "status"}).output;
      return status.find(" ready ") != std::string::npos &&
             status.find(" starting ") == std::string::npos;
    },
    Milliseconds(30'000)));
  const auto second = project.run(
    {"--suite", "integration", "--parallel", "4", "--reuse", "--report-json", report.string()});
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("12 passed"), std::string::npos) << second.output;
  const auto text = read_text(report);
  std::size_t adopted = 0;
  for (auto at = text.find("\"warm_worker\": true"); at != std::string::npos;
       at = text.find("\"warm_worker\": true", at + 1)) {
    ++adopted;
  }
  EXPECT_EQ(adopted, 4u) << text;
  EXPECT_EQ(command(project, {"pool", "down"}).exit_code, 0);
  expect_nothing_left(project);
}

}  // namespace
}  // namespace orchestrate
