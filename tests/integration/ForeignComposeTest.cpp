// Projects as other teams write them (tests/projects/*): compose files that publish their ports on
// every interface or not at all, a one-shot migration service, and a policy that waives a rule.
// Each runs the real orchestrate against the real engine under a unique project prefix.

#include "OrchestrateCli.hpp"

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

}  // namespace
}  // namespace orchestrate
