// Bad places and bad values a run must refuse before it starts anything, and the run folders it
// prunes, through the real binary.

#include "OrchestrateCli.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace orchestrate {
namespace {

using testing::ScratchProject;

constexpr const char* k_stack_suite =
  "paths: [suites/pg]\nfixtures: [postgres]\n";
constexpr const char* k_stack_test = "def test_nothing():\n    pass\n";

// A project whose orchestrate.yaml ends with `extra` (top-level lines from line 5 on).
void write_project_yaml(const ScratchProject& project, const std::string& extra)
{
  project.write("orchestrate.yaml",
                "project: " + project.prefix() + "\n"
                "environments:\n"
                "  test: {compose_files: [" +
                  (testing::k_source_dir / "compose/docker-compose.test.yml").string() + "]}\n"
                "defaults: {parallel: 1}\n" +
                  extra);
}

TEST(RunSafetyTest, AnUnwritableReportPathIsExitFourBeforeAnyStackStarts)
{
  // Before: the suite ran to the end, then writing the report failed (exit 3).
  ScratchProject project;
  DockerCleanup safety_net(project.label());
  project.write("suites/pg.yaml", k_stack_suite);
  project.write("suites/pg/test_pg.py", k_stack_test);
  project.write("not-a-folder", "x");
  const auto report = project.root() / "not-a-folder" / "report.json";

  const auto run = project.run({"--suite", "pg", "--report-json", report.string()});

  EXPECT_EQ(run.exit_code, 4) << run.output;
  EXPECT_NE(run.output.find("cannot write the --report-json report"), std::string::npos)
    << run.output;
  EXPECT_NE(run.output.find("nothing was started"), std::string::npos) << run.output;
  EXPECT_FALSE(std::filesystem::exists(project.root() / ".orchestrate" / "runs"));
  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

TEST(RunSafetyTest, AnUnwritableStateDirIsExitFourNamingIt)
{
  // Before: exit 3, "filesystem error".
  ScratchProject project;
  DockerCleanup safety_net(project.label());
  write_project_yaml(project, "state_dir: /proc/orchestrate-state\n");
  project.write("suites/pg.yaml", k_stack_suite);
  project.write("suites/pg/test_pg.py", k_stack_test);

  const auto run = project.run({"--suite", "pg"});

  EXPECT_EQ(run.exit_code, 4) << run.output;
  EXPECT_NE(run.output.find("into state_dir"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("/proc/orchestrate-state"), std::string::npos) << run.output;
  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

TEST(RunSafetyTest, AnOverflowingMemoryBudgetIsExitFourWithFileAndLine)
{
  // Before: saturated silently to 16 EiB; the run went on (or the preflight refused it, exit 7).
  ScratchProject project;
  write_project_yaml(project, "memory_budget: 99999999999999999999GiB\n");
  project.write("suites/pg.yaml", k_stack_suite);

  const auto run = project.run({"--suite", "pg"});

  EXPECT_EQ(run.exit_code, 4) << run.output;
  EXPECT_NE(run.output.find((project.root() / "orchestrate.yaml").string() +
                            ":5: 'memory_budget' is out of range"),
            std::string::npos)
    << run.output;
}

TEST(RunSafetyTest, EachRunKeepsOnlyTheNewestRunFolders)
{
  // Before: one folder per run, forever (401 MB after two runs of a chatty suite).
  ScratchProject project;
  write_project_yaml(project, "keep_runs: 2\n");
  project.write("suites/quick.yaml",
                "runner: command\ncommands:\n  - {name: ok, run: [\"true\"]}\n");
  for (int run_number = 0; run_number < 4; ++run_number) {
    const auto run = project.run({"--suite", "quick", "-q"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }
  int folders = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(project.root() / ".orchestrate" / "runs")) {
    folders += entry.is_directory() ? 1 : 0;
  }
  EXPECT_EQ(folders, 2);
}

}  // namespace
}  // namespace orchestrate
