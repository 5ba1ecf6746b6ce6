// The rule for env stacks (docs/cleanup.md, "Env stacks"): a stack made by `orchestrate env up`
// has a dead owner as soon as `env up` returned, and no sweep may take that for "abandoned":
// `cleanup --env dev` and the stale sweep leave it and its data volume alone; `env down`, or
// `cleanup --env dev --include-env-stacks`, removes it. A scratch project with a unique prefix,
// never the repository's real dev stack.

#include "OrchestrateCli.hpp"
#include "cleanup/StaleSweep.hpp"
#include "docker/DockerEngine.hpp"

#include <gtest/gtest.h>

namespace orchestrate::testing {
namespace {

class DevStackSweepTest : public ::testing::Test
{
protected:
  DevStackSweepTest()
  {
    m_project.write("dev.yml", R"(services:
  keeper:
    image: orchestrate/busybox:latest
    command: ["sleep", "600"]
    stop_signal: SIGKILL
    volumes: ["data:/data"]
volumes:
  data: {}
)");
    m_project.write("orchestrate.yaml",
                    "project: " + m_project.prefix() + "\n"
                    "environments:\n"
                    "  test: {compose_files: [" +
                      (k_source_dir / "compose/docker-compose.test.yml").string() + "]}\n"
                    "  dev: {compose_files: [" + (m_project.root() / "dev.yml").string() + "]}\n");
  }

  // `orchestrate <arguments> -C <project>`.
  CliRun in_project(std::vector<std::string> arguments) const
  {
    arguments.insert(arguments.end(), {"-C", m_project.root().string()});
    return run_orchestrate(arguments);
  }

  // The dev stack's running containers and its volumes, by the project's label.
  std::pair<std::size_t, std::size_t> running_containers_and_volumes()
  {
    std::size_t running = 0;
    for (const auto& container : m_engine.list_containers({m_project.label()})) {
      running += container.state == "running" ? 1 : 0;
    }
    return {running, m_engine.list_volumes({m_project.label()}).size()};
  }

  ScratchProject m_project;
  DockerCleanup m_safety_net{m_project.label()};
  DockerEngine m_engine;
};

TEST_F(DevStackSweepTest, RunningDevStackSurvivesCleanupAndTheSweepAndGoesOnlyWhenAskedExplicitly)
{
  const auto up = in_project({"env", "up", "--env", "dev"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  ASSERT_EQ(running_containers_and_volumes(), std::make_pair(std::size_t{1}, std::size_t{1}));

  // `env up` has returned: the stack's owner is dead. Neither cleanup nor the sweep removes it,
  // not even with an age limit of zero.
  for (const auto& arguments : std::vector<std::vector<std::string>>{
         {"cleanup", "--env", "dev"},
         {"cleanup", "--env", "dev", "--dry-run"},
         {"cleanup", "--env", "dev", "--older-than", "0s"}}) {
    const auto cleanup = in_project(arguments);
    EXPECT_EQ(cleanup.exit_code, 0) << cleanup.output;
    EXPECT_NE(cleanup.output.find("cleanup: nothing to remove (env dev, project " +
                                  m_project.prefix() + ")"),
              std::string::npos)
      << cleanup.output;
  }
  SweepOptions sweep;
  sweep.environment = "dev";
  sweep.project_prefix = m_project.prefix();
  EXPECT_TRUE(sweep_stale_resources(m_engine, sweep).empty());
  EXPECT_EQ(running_containers_and_volumes(), std::make_pair(std::size_t{1}, std::size_t{1}));

  // Asked explicitly, cleanup removes it, its data volume included.
  const auto included = in_project({"cleanup", "--env", "dev", "--include-env-stacks"});
  EXPECT_EQ(included.exit_code, 0) << included.output;
  EXPECT_NE(included.output.find("removed container " + m_project.prefix() + "-dev-keeper-1"),
            std::string::npos)
    << included.output;
  EXPECT_NE(included.output.find("removed volume " + m_project.prefix() + "-dev_data"),
            std::string::npos)
    << included.output;
  const auto left = leftovers_with_label(m_project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

}  // namespace
}  // namespace orchestrate::testing
