#include "resources/Preflight.hpp"
#include "resources/PreflightChecks.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

constexpr std::uint64_t k_mib = 1024 * 1024;
constexpr std::uint64_t k_gib = 1024 * k_mib;

bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

CommandOutput command_output(int exit_code, std::string output)
{
  CommandOutput result;
  result.exit.exit_code = exit_code;
  result.output = std::move(output);
  return result;
}

TEST(PreflightChecksTest, EngineThatAnswersPassesWithItsApiVersion)
{
  const PreflightCheck check = judge_engine("/var/run/docker.sock", std::string("1.41"));
  EXPECT_EQ(check.verdict, CheckVerdict::k_pass);
  EXPECT_EQ(check.measured, "API 1.41 at /var/run/docker.sock");
}

TEST(PreflightChecksTest, EngineThatDoesNotAnswerFailsSayingHowToStartOne)
{
  const PreflightCheck check = judge_engine("/nonexistent.sock", std::nullopt);
  EXPECT_EQ(check.verdict, CheckVerdict::k_fail);
  EXPECT_TRUE(contains(check.message, "/nonexistent.sock")) << check.message;
  EXPECT_TRUE(contains(check.message, "Start one with")) << check.message;
  EXPECT_TRUE(contains(check.message, "dockerd")) << check.message;
}

TEST(PreflightChecksTest, ComposeMajorVersionReadsShortVersions)
{
  EXPECT_EQ(compose_major_version("2.26.1-4\n"), 2);
  EXPECT_EQ(compose_major_version("v2.29.7"), 2);
  EXPECT_EQ(compose_major_version("1.29.2"), 1);
  EXPECT_EQ(compose_major_version("docker: 'compose' is not a docker command."), std::nullopt);
  EXPECT_EQ(compose_major_version("2"), std::nullopt);
  EXPECT_EQ(compose_major_version(""), std::nullopt);
}

TEST(PreflightChecksTest, ComposeV2Passes)
{
  const PreflightCheck check = judge_compose(command_output(0, "2.26.1-4\n"));
  EXPECT_EQ(check.verdict, CheckVerdict::k_pass);
  EXPECT_EQ(check.measured, "2.26.1-4");
}

TEST(PreflightChecksTest, MissingComposePluginFailsSayingHowToInstallIt)
{
  const PreflightCheck check =
    judge_compose(command_output(1, "docker: 'compose' is not a docker command.\n"));
  EXPECT_EQ(check.verdict, CheckVerdict::k_fail);
  EXPECT_TRUE(contains(check.message, "is not a docker command")) << check.message;
  EXPECT_TRUE(contains(check.message, "scripts/install-compose")) << check.message;
}

TEST(PreflightChecksTest, ComposeV1Fails)
{
  const PreflightCheck check = judge_compose(command_output(0, "1.29.2\n"));
  EXPECT_EQ(check.verdict, CheckVerdict::k_fail);
  EXPECT_TRUE(contains(check.message, "version 1.29.2")) << check.message;
  EXPECT_TRUE(contains(check.message, "scripts/install-compose")) << check.message;
}

TEST(PreflightChecksTest, MissingDockerCliFails)
{
  const PreflightCheck check = judge_compose(std::nullopt);
  EXPECT_EQ(check.verdict, CheckVerdict::k_fail);
  EXPECT_TRUE(contains(check.message, "scripts/install-compose")) << check.message;
}

TEST(PreflightChecksTest, MemoryBelowTheBudgetFailsWithBothNumbersAndTheOption)
{
  const PreflightCheck check = judge_memory(3 * k_gib, 4 * k_gib);
  EXPECT_EQ(check.verdict, CheckVerdict::k_fail);
  EXPECT_TRUE(contains(check.message, "3.0 GiB")) << check.message;
  EXPECT_TRUE(contains(check.message, "4.0 GiB")) << check.message;
  EXPECT_TRUE(contains(check.message, "--memory-budget")) << check.message;
}

TEST(PreflightChecksTest, MemoryCoveringTheBudgetPasses)
{
  EXPECT_EQ(judge_memory(4 * k_gib, 4 * k_gib).verdict, CheckVerdict::k_pass);
  EXPECT_EQ(judge_memory(20 * k_gib, 4 * k_gib).measured, "MemAvailable 20.0 GiB, budget 4.0 GiB");
}

TEST(PreflightChecksTest, MemoryWithoutBudgetIsSkippedAndUnreadableMeminfoWarns)
{
  EXPECT_EQ(judge_memory(1 * k_gib, 0).verdict, CheckVerdict::k_skipped);
  EXPECT_EQ(judge_memory(std::nullopt, 4 * k_gib).verdict, CheckVerdict::k_warn);
}

TEST(PreflightChecksTest, DiskBelowTheMinimumFailsNamingTheDataRoot)
{
  const PreflightCheck check = judge_disk("/var/lib/docker", 512 * k_mib, 2 * k_gib);
  EXPECT_EQ(check.verdict, CheckVerdict::k_fail);
  EXPECT_TRUE(contains(check.message, "/var/lib/docker")) << check.message;
  EXPECT_TRUE(contains(check.message, "512 MiB")) << check.message;
  EXPECT_TRUE(contains(check.message, "2.0 GiB")) << check.message;
}

TEST(PreflightChecksTest, DiskAboveTheMinimumPassesAndARemoteDataRootIsSkipped)
{
  EXPECT_EQ(judge_disk("/var/lib/docker", 3 * k_gib, 2 * k_gib).verdict, CheckVerdict::k_pass);
  EXPECT_EQ(judge_disk("/var/lib/docker", std::nullopt, 2 * k_gib).verdict,
            CheckVerdict::k_skipped);
}

TEST(PreflightChecksTest, ManyExistingContainersWarnButNeverFail)
{
  const PreflightCheck many = judge_existing_containers(41, 12, "shop", 40);
  EXPECT_EQ(many.verdict, CheckVerdict::k_warn);
  EXPECT_TRUE(contains(many.message, "41 containers")) << many.message;
  EXPECT_TRUE(contains(many.message, "12 of project shop")) << many.message;
  EXPECT_TRUE(contains(many.message, "orchestrate cleanup")) << many.message;

  const PreflightCheck few = judge_existing_containers(40, 3, "shop", 40);
  EXPECT_EQ(few.verdict, CheckVerdict::k_pass);
  EXPECT_EQ(few.measured, "40 containers of orchestrate (3 of project shop)");
}

TEST(PreflightChecksTest, ReportFailsWhenAnyCheckFailsAndCollectsMessages)
{
  PreflightReport report;
  report.checks = {judge_engine("/s", std::string("1.41")),
                   judge_memory(1 * k_gib, 2 * k_gib),
                   judge_disk("/d", 1 * k_mib, 2 * k_gib),
                   judge_existing_containers(50, 0, "p", 40)};
  EXPECT_FALSE(report.passed());
  const std::string message = report.failure_message();
  EXPECT_TRUE(contains(message, "--memory-budget")) << message;
  EXPECT_TRUE(contains(message, "\nonly 1 MiB free under /d")) << message;
  ASSERT_EQ(report.warnings().size(), 1u);
  EXPECT_TRUE(contains(report.warnings()[0], "50 containers"));
  ASSERT_NE(report.find("disk"), nullptr);
  EXPECT_EQ(report.find("disk")->verdict, CheckVerdict::k_fail);
  EXPECT_EQ(report.find("nothing"), nullptr);

  report.checks.erase(report.checks.begin() + 1, report.checks.begin() + 3);
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.failure_message(), "");
}

}  // namespace
}  // namespace orchestrate
