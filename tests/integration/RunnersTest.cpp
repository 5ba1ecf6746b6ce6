// The gtest and command runners end to end: the real `orchestrate` binary runs the repository's
// gtest-redis and commands suites against real stacks, and a gtest binary that aborts.

#include "OrchestrateCli.hpp"
#include "reporting/JsonReport.hpp"
#include "reporting/JunitXml.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace orchestrate {
namespace {

using testing::CliRun;
using testing::k_source_dir;
using testing::ScratchProject;

// An example binary of this build: ORCHESTRATE_BINARY is <build dir>/orchestrator/orchestrate.
std::filesystem::path example_binary(const std::string& target)
{
  return std::filesystem::path(ORCHESTRATE_BINARY).parent_path().parent_path() / "examples" /
         target;
}

std::string read_text(const std::filesystem::path& file)
{
  std::ifstream stream(file);
  std::stringstream text;
  text << stream.rdbuf();
  return text.str();
}

// The repository's suite file with its `binary:` pointed at this build's example: the file names
// build/ (the README's build dir), and this test may run from another build dir. Empty when the
// file does not name `build/examples/<target>`.
std::string suite_for_this_build(const std::string& suite, const std::string& target)
{
  std::string text = read_text(k_source_dir / "suites" / (suite + ".yaml"));
  const std::string named = "build/examples/" + target;
  const auto at = text.find(named);
  if (at == std::string::npos) {
    return {};
  }
  return text.replace(at, named.size(), example_binary(target).string());
}

struct SuiteRun
{
  CliRun cli;
  RunReport report;
  std::vector<TestResult> junit;
};

// Runs `--suite <suite> --parallel <parallel> <extra>` in the project with both reports, and reads
// them back (when written).
SuiteRun run_suite(const ScratchProject& project, const std::string& suite, int parallel,
                   const std::vector<std::string>& extra = {})
{
  TempDir reports;
  const auto junit_file = reports.path() / "junit.xml";
  const auto json_file = reports.path() / "report.json";
  SuiteRun run;
  std::vector<std::string> arguments{"--suite", suite, "--parallel", std::to_string(parallel),
                                     "--junit-xml", junit_file.string(), "--report-json",
                                     json_file.string()};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  run.cli = project.run(arguments);
  if (std::filesystem::exists(json_file)) {
    run.report = read_json_report(json_file);
  }
  if (std::filesystem::exists(junit_file)) {
    run.junit = read_junit_xml(junit_file);
  }
  return run;
}

std::map<std::string, TestResult> by_id(const std::vector<TestResult>& results)
{
  std::map<std::string, TestResult> map;
  for (const auto& result : results) {
    map[result.id] = result;
  }
  return map;
}

std::set<std::string> ids_of(const std::vector<TestResult>& results)
{
  std::set<std::string> ids;
  for (const auto& result : results) {
    ids.insert(result.id);
  }
  return ids;
}

void expect_everything_passed_on_two_shards(const SuiteRun& run,
                                            const std::set<std::string>& expected_ids)
{
  EXPECT_EQ(run.cli.exit_code, 0) << run.cli.output;
  EXPECT_EQ(ids_of(run.junit), expected_ids) << run.cli.output;
  for (const auto& result : run.junit) {
    EXPECT_EQ(result.outcome, Outcome::k_passed) << result.id << ": " << result.details;
  }
  EXPECT_EQ(run.report.counts.passed, static_cast<int>(expected_ids.size()));
  // Both shards got a stack; which tests each ran is up to the dynamic queue.
  EXPECT_EQ(run.report.shards.size(), 2u);
  for (const auto& shard : run.report.shards) {
    EXPECT_TRUE(shard.error.empty()) << shard.error;
    EXPECT_FALSE(shard.project.empty()) << "shard " << shard.shard << " had no stack";
  }
  ASSERT_FALSE(run.report.run_id.empty()) << run.cli.output;
  const auto left = leftovers_with_label("io.orchestrate.run=" + run.report.run_id);
  EXPECT_TRUE(left.empty()) << left.describe();
}

TEST(RunnersTest, GtestRedisSuitePassesOnTwoShardsAndLeavesNothing)
{
  ASSERT_TRUE(std::filesystem::exists(example_binary("gtest_redis_example")))
    << "build the gtest_redis_example target first";
  const std::string suite = suite_for_this_build("gtest-redis", "gtest_redis_example");
  ASSERT_FALSE(suite.empty()) << "suites/gtest-redis.yaml names no build/examples binary";
  ScratchProject project;
  DockerCleanup safety_net(project.label());
  project.write("suites/gtest-redis.yaml", suite);

  const auto run = run_suite(project, "gtest-redis", 2);

  expect_everything_passed_on_two_shards(
    run, {"RedisTest.ServerIsRedisSeven", "RedisTest.SetThenGetReturnsTheValueByteForByte",
          "RedisTest.IncrCountsFromZeroAndIncrByAdds",
          "RedisTest.KeyWithExpiryIsGoneAfterItExpires",
          "RedisTest.ListPushThenPopIsFirstInFirstOut", "RedisTest.PipelinedRepliesComeBackInOrder",
          "RedisTest.TransactionAppliesAllItsCommandsOnExec",
          "RedisTest.TransactionIsDiscardedWhenAWatchedKeyChanges"});
  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

TEST(RunnersTest, CommandSuitePassesOnTwoShardsAndLeavesNothing)
{
  ScratchProject project;
  DockerCleanup safety_net(project.label());
  project.write("suites/commands.yaml", read_text(k_source_dir / "suites/commands.yaml"));
  project.write("suites/commands/migration.sql",
                read_text(k_source_dir / "suites/commands/migration.sql"));

  const auto run = run_suite(project, "commands", 2);

  expect_everything_passed_on_two_shards(
    run, {"postgres-answers-select-one", "postgres-is-version-15", "migration-applies-cleanly",
          "redis-answers-ping", "shard-index-is-within-the-shard-count"});
  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

TEST(RunnersTest, CrashingGtestTestFailsNamingTheSignalAndTheOthersStillHaveResults)
{
  ASSERT_TRUE(std::filesystem::exists(example_binary("gtest_crash_example")))
    << "build the gtest_crash_example target first";
  ScratchProject project;
  project.write("suites/crash.yaml",
                "runner: gtest\nbinary: " + example_binary("gtest_crash_example").string() + "\n");

  // One shard, static: all four tests are one batch, so the crash happens amid the others.
  const auto run = run_suite(project, "crash", 1, {"--dist", "static"});

  EXPECT_EQ(run.cli.exit_code, 1) << run.cli.output;
  auto results = by_id(run.junit);
  ASSERT_EQ(results.size(), 4u) << run.cli.output;
  const auto& crashed = results["CrashExample.AbortsTheWholeBinary"];
  EXPECT_EQ(crashed.outcome, Outcome::k_failed);
  EXPECT_NE(crashed.message.find("signal 6 (SIGABRT)"), std::string::npos) << crashed.message;
  EXPECT_EQ(results["CrashExample.PassesBeforeTheCrash"].outcome, Outcome::k_passed);
  EXPECT_EQ(results["CrashExample.PassesAfterTheCrash"].outcome, Outcome::k_passed);
  const auto& failed = results["CrashExample.FailsOnPurpose"];
  EXPECT_EQ(failed.outcome, Outcome::k_failed);
  EXPECT_NE(failed.details.find("a deliberate failure"), std::string::npos) << failed.details;
  EXPECT_EQ(run.report.counts.passed, 2);
  EXPECT_EQ(run.report.counts.failed, 2);
  // The crash was mid-batch: the shard log says the rest went on in a new process.
  std::string logs;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(project.root() / ".orchestrate")) {
    if (entry.path().filename() == "tests.log") {
      logs += read_text(entry.path());
    }
  }
  EXPECT_NE(logs.find("AbortsTheWholeBinary crashed; the batch's 2 remaining tests go on"),
            std::string::npos)
    << logs;
}

TEST(RunnersTest, GtestSuiteWhoseBinaryIsNotBuiltIsAUsageErrorTellingToBuildIt)
{
  ScratchProject project;
  project.write("suites/unbuilt.yaml", "runner: gtest\nbinary: build/examples/not_built_yet\n");

  const auto run = project.run({"--suite", "unbuilt"});

  EXPECT_EQ(run.exit_code, 4) << run.output;
  EXPECT_NE(run.output.find("not_built_yet does not exist"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("scripts/build"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace orchestrate
