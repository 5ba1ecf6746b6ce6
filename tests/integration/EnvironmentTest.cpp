// `orchestrate env up|down|status`: a long-lived dev stack, labelled like shard stacks, that lives
// next to test runs of the same project and is removed completely by `env down`.

#include "OrchestrateCli.hpp"
#include "docker/DockerEngine.hpp"
#include "docker/ProjectName.hpp"
#include "locking/EnvironmentLock.hpp"

#include <algorithm>
#include <chrono>
#include <gtest/gtest.h>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace orchestrate {
namespace {

using testing::k_source_dir;
using testing::run_orchestrate;
using testing::ScratchProject;

// Queries the dev Postgres on a fresh connection every 200 ms until the stop file appears (one
// last query after that), printing "ok <unix time>" or "failed <unix time> <error>" per query.
constexpr const char* k_query_loop = R"(import os, sys, time
import psycopg2

port, stop_file = sys.argv[1], sys.argv[2]
while True:
    stopping = os.path.exists(stop_file)
    try:
        connection = psycopg2.connect(host="127.0.0.1", port=port, user="postgres",
                                      dbname="postgres", connect_timeout=5)
        cursor = connection.cursor()
        cursor.execute("select 1")
        assert cursor.fetchone()[0] == 1
        connection.close()
        print("ok", time.time(), flush=True)
    except Exception as error:
        print("failed", time.time(), repr(error).replace("\n", " "), flush=True)
    if stopping:
        break
    time.sleep(0.2)
)";

double unix_now()
{
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class EnvironmentTest : public ::testing::Test
{
protected:
  EnvironmentTest() : m_stack(environment_project_name(m_project.prefix(), "dev"))
  {
    write_orchestrate_yaml(k_source_dir / "compose/docker-compose.dev.yml");
  }

  // Both environments, as the repository's orchestrate.yaml has them, under the unique prefix.
  void write_orchestrate_yaml(const std::filesystem::path& dev_compose_file) const
  {
    m_project.write("orchestrate.yaml",
                    "project: " + m_project.prefix() + "\n"
                    "environments:\n"
                    "  test: {compose_files: [" +
                      (k_source_dir / "compose/docker-compose.test.yml").string() + "]}\n"
                    "  dev: {compose_files: [" + dev_compose_file.string() + "]}\n"
                    "defaults: {parallel: 2, readiness_timeout: 60s}\n");
  }

  // `orchestrate env <arguments> -C <project>`.
  testing::CliRun env(std::vector<std::string> arguments) const
  {
    arguments.insert(arguments.begin(), "env");
    arguments.insert(arguments.end(), {"-C", m_project.root().string()});
    return run_orchestrate(arguments);
  }

  std::vector<ContainerSummary> dev_containers()
  {
    return m_engine.list_containers({"io.orchestrate.stack=" + m_stack});
  }

  // The host port of the dev stack's service `service` for container port `port`; 0 if none.
  int host_port(const std::string& service, int port)
  {
    for (const auto& container : dev_containers()) {
      if (container.labels.at("com.docker.compose.service") == service) {
        auto found = container.published_tcp_ports.find(port);
        return found == container.published_tcp_ports.end() ? 0 : found->second;
      }
    }
    return 0;
  }

  std::vector<std::string> dev_container_ids()
  {
    std::vector<std::string> ids;
    for (const auto& container : dev_containers()) {
      ids.push_back(container.id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  ScratchProject m_project;
  DockerCleanup m_safety_net{m_project.label()};
  DockerEngine m_engine;
  std::string m_stack;
};

TEST_F(EnvironmentTest, UpStartsALabelledHealthyStackThatStatusShowsAndDownRemovesCompletely)
{
  const auto up = env({"up", "--env", "dev"});
  ASSERT_EQ(up.exit_code, 0) << up.output;

  const auto containers = dev_containers();
  ASSERT_EQ(containers.size(), 2u);
  for (const auto& container : containers) {
    EXPECT_EQ(container.state, "running") << container.name;
    EXPECT_EQ(container.health, "healthy") << container.name;
    EXPECT_EQ(container.labels.at("io.orchestrate.managed"), "true");
    EXPECT_EQ(container.labels.at("io.orchestrate.project"), m_project.prefix());
    EXPECT_EQ(container.labels.at("io.orchestrate.env"), "dev");
    EXPECT_EQ(container.labels.at("io.orchestrate.run"), "");
    EXPECT_EQ(container.labels.at("io.orchestrate.shard"), "0");
    EXPECT_FALSE(container.labels.at("io.orchestrate.owner").empty());
    EXPECT_FALSE(container.labels.at("io.orchestrate.created").empty());
  }
  EXPECT_EQ(m_engine.list_volumes({"io.orchestrate.stack=" + m_stack}).size(), 2u);
  EXPECT_FALSE(m_engine.list_networks({"io.orchestrate.stack=" + m_stack}).empty());
  const auto postgres_port = host_port("dev-postgres", 5432);
  const auto redis_port = host_port("dev-redis", 6379);
  ASSERT_GT(postgres_port, 0);
  ASSERT_GT(redis_port, 0);
  for (const auto* expected : {"dev-postgres", "dev-redis", "healthy"}) {
    EXPECT_NE(up.output.find(expected), std::string::npos) << expected << "\n" << up.output;
  }
  EXPECT_NE(up.output.find("localhost:" + std::to_string(postgres_port) + "->5432"),
            std::string::npos)
    << up.output;
  EXPECT_TRUE(std::filesystem::exists(m_project.root() /
                                      ".orchestrate/environments/dev/compose.override.yml"));

  // A second `up` finds the stack up and recreates nothing.
  const auto ids_before = dev_container_ids();
  const auto again = env({"up", "--env", "dev"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(dev_container_ids(), ids_before);

  const auto status = env({"status", "--env", "dev"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find(m_stack + "): up"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("localhost:" + std::to_string(redis_port) + "->6379"),
            std::string::npos)
    << status.output;

  const auto down = env({"down", "--env", "dev"});
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_NE(down.output.find("dev environment is down"), std::string::npos) << down.output;
  const auto left = leftovers_with_label(m_project.label());
  EXPECT_TRUE(left.empty()) << left.describe();

  const auto after = env({"status", "--env", "dev"});
  EXPECT_EQ(after.exit_code, 0) << after.output;
  EXPECT_NE(after.output.find("not running"), std::string::npos) << after.output;
}

TEST_F(EnvironmentTest, NeverHealthyServiceFailsUpInTimeWithItsLogsAndIsLeftForDown)
{
  m_project.write("dev.yml", R"(services:
  sick:
    image: orchestrate/busybox:latest
    command: ["sh", "-c", "echo sick-dev-service-says-hello; exec sleep 600"]
    stop_signal: SIGKILL
    healthcheck: {test: ["CMD", "false"], interval: 1s, retries: 600}
)");
  write_orchestrate_yaml(m_project.root() / "dev.yml");

  const auto started = std::chrono::steady_clock::now();
  const auto up = env({"up", "--env", "dev", "--readiness-timeout", "3s"});
  const auto elapsed = std::chrono::steady_clock::now() - started;

  EXPECT_EQ(up.exit_code, 3) << up.output;
  EXPECT_NE(up.output.find("service 'sick' was not ready within 3.00s"), std::string::npos)
    << up.output;
  EXPECT_NE(up.output.find("sick-dev-service-says-hello"), std::string::npos) << up.output;
  EXPECT_NE(up.output.find("orchestrate env down --env dev"), std::string::npos) << up.output;
  EXPECT_LT(elapsed, std::chrono::seconds(60));
  // Left for inspection, not torn down: a dev stack's data is not thrown away on a slow start.
  EXPECT_EQ(dev_containers().size(), 1u);

  const auto down = env({"down", "--env", "dev"});
  EXPECT_EQ(down.exit_code, 0) << down.output;
  const auto left = leftovers_with_label(m_project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

TEST_F(EnvironmentTest, TestEnvironmentUnknownEnvironmentAndUnknownActionAreUsageErrors)
{
  const auto test_env = env({"up", "--env", "test"});
  EXPECT_EQ(test_env.exit_code, 4) << test_env.output;
  EXPECT_NE(test_env.output.find("belongs to runs"), std::string::npos) << test_env.output;

  const auto unknown = env({"up", "--env", "staging"});
  EXPECT_EQ(unknown.exit_code, 4) << unknown.output;
  EXPECT_NE(unknown.output.find("unknown environment 'staging'"), std::string::npos)
    << unknown.output;
  EXPECT_NE(unknown.output.find("dev, test"), std::string::npos) << unknown.output;

  const auto action = env({"restart", "--env", "dev"});
  EXPECT_EQ(action.exit_code, 4) << action.output;
  EXPECT_NE(action.output.find("unknown action 'restart'"), std::string::npos) << action.output;

  const auto left = leftovers_with_label(m_project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

TEST_F(EnvironmentTest, UpWaitsForTheDevLockAndGivesUpWithExitSixNamingTheHolder)
{
  const auto lock = EnvironmentLock::acquire(m_project.root() / ".orchestrate/locks", "dev",
                                             Milliseconds(1000));

  const auto up = env({"up", "--env", "dev", "--lock-timeout", "1s"});

  EXPECT_EQ(up.exit_code, 6) << up.output;
  EXPECT_NE(up.output.find("waiting for the dev environment lock held by pid " +
                           std::to_string(::getpid())),
            std::string::npos)
    << up.output;
  EXPECT_NE(up.output.find("dev environment is busy"), std::string::npos) << up.output;
  const auto left = leftovers_with_label(m_project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

TEST_F(EnvironmentTest, DevStackAnswersEveryQueryWhileAParallelTestRunUsesTheSameProject)
{
  std::filesystem::copy(k_source_dir / "suites/integration",
                        m_project.root() / "suites/integration",
                        std::filesystem::copy_options::recursive);
  std::filesystem::copy_file(k_source_dir / "suites/integration.yaml",
                             m_project.root() / "suites/integration.yaml");
  const auto up = env({"up", "--env", "dev"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  const auto dev_ids = dev_container_ids();
  const auto postgres_port = host_port("dev-postgres", 5432);
  ASSERT_GT(postgres_port, 0);

  const auto stop_file = m_project.root() / "stop-querying";
  ProcessOptions options;
  options.argv = {"/usr/bin/python3", "-c", k_query_loop, std::to_string(postgres_port),
                  stop_file.string()};
  options.capture_output = true;
  ChildProcess queries(options);

  const double run_started = unix_now();
  const auto run = m_project.run({"--suite", "integration", "--parallel", "4"});
  const double run_ended = unix_now();
  // Keep querying for a moment after the run: its teardown must not touch the dev stack either.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  testing::write_file(stop_file, "");
  const auto query_exit = queries.wait(Milliseconds(30'000));

  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("passed"), std::string::npos) << run.output;
  EXPECT_TRUE(query_exit.succeeded());
  int during = 0;
  int after = 0;
  std::istringstream lines(queries.output());
  std::string outcome;
  double when = 0;
  while (lines >> outcome >> when) {
    EXPECT_EQ(outcome, "ok") << queries.output();
    during += (outcome == "ok" && when >= run_started && when <= run_ended) ? 1 : 0;
    after += (outcome == "ok" && when > run_ended) ? 1 : 0;
    std::string rest;
    std::getline(lines, rest);
  }
  // One query per 200 ms at most; a run of 74 tests on 4 stacks takes well over 5 s.
  EXPECT_GE(during, 10) << queries.output();
  EXPECT_GE(after, 1) << queries.output();
  EXPECT_EQ(dev_container_ids(), dev_ids);
  for (const auto& container : dev_containers()) {
    EXPECT_EQ(container.state, "running") << container.name;
  }
  EXPECT_TRUE(m_engine.list_containers({m_project.label(), "io.orchestrate.env=test"}).empty());

  const auto down = env({"down", "--env", "dev"});
  EXPECT_EQ(down.exit_code, 0) << down.output;
  const auto left = leftovers_with_label(m_project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

}  // namespace
}  // namespace orchestrate
