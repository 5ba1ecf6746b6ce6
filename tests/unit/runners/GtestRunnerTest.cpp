#include "core/Error.hpp"
#include "process/SignalState.hpp"
#include "runners/GtestRunner.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

namespace orchestrate {
namespace {

// A stand-in for a GoogleTest binary, so that the runner's process handling is tested without
// building one. It lists Fake.{passes,crashes,fails,hangs} (and a disabled test); it runs what
// --gtest_filter names, printing gtest's console lines, and at the end writes gtest's XML (with
// a failure message only the XML has); Fake.crashes aborts it, Fake.hangs sleeps; with
// FAKE_DIE_AT_START set it dies by SIGSEGV before any test. Each run appends its filter to
// calls.log and its arguments to args.log.
constexpr const char* k_fake_gtest = R"SH(#!/bin/sh
filter=
out=
for arg in "$@"; do
  case "$arg" in
    --gtest_list_tests)
      printf 'Running main()\nFake.\n  passes\n  crashes\n  fails\n  hangs\n  DISABLED_off\n'
      exit 0;;
    --gtest_filter=*) filter=${arg#--gtest_filter=};;
    --gtest_output=xml:*) out=${arg#--gtest_output=xml:};;
  esac
done
here=$(dirname "$0")
echo "$filter" >> "$here/calls.log"
echo "$*" >> "$here/args.log"
[ -n "$FAKE_DIE_AT_START" ] && kill -SEGV $$
results=
IFS=:
for id in $filter; do
  echo "[ RUN      ] $id"
  case $id in
    Fake.crashes) echo "about to abort"; kill -ABRT $$;;
    Fake.hangs) sleep 30;;
    Fake.fails)
      echo "fake.cpp:3: Failure"
      echo "[  FAILED  ] $id (2 ms)"
      failure='<failure message="expected 3"/>'
      results="$results<testcase classname=\"Fake\" name=\"fails\">$failure</testcase>";;
    *)
      echo "[       OK ] $id (1 ms)"
      results="$results<testcase classname=\"Fake\" name=\"${id#Fake.}\" time=\"0.001\"/>";;
  esac
done
echo "<testsuites><testsuite name=\"Fake\">$results</testsuite></testsuites>" > "$out"
)SH";

using Ids = std::vector<std::string>;

class GtestRunnerTest : public testing::Test
{
protected:
  GtestRunnerTest()
  {
    m_project.root = m_dir.path();
    m_suite.name = "fake";
    m_suite.runner = "gtest";
    m_suite.gtest_binary = "bin/fake-gtest";
    std::filesystem::create_directories(m_dir.path() / "bin");
    std::filesystem::create_directories(m_dir.path() / "work");
  }

  void TearDown() override
  {
    reset_interrupts();
  }

  void install_fake()
  {
    const auto path = m_dir.path() / "bin/fake-gtest";
    std::ofstream(path) << k_fake_gtest;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  }

  BatchOutcome run(const Ids& ids, std::optional<Milliseconds> per_test_timeout = std::nullopt,
                   const std::map<std::string, std::string>& environment = {})
  {
    BatchRequest request;
    request.test_ids = ids;
    request.environment = environment;
    request.work_dir = m_dir.path() / "work";
    request.log_file = m_dir.path() / "tests.log";
    request.per_test_timeout = per_test_timeout;
    GtestRunner runner(m_project, m_suite);
    return runner.run_batch(request);
  }

  Ids lines_of(const std::string& file) const
  {
    std::ifstream stream(m_dir.path() / "bin" / file);
    Ids lines;
    std::string line;
    while (std::getline(stream, line)) {
      lines.push_back(line);
    }
    return lines;
  }

  static std::map<std::string, TestResult> by_id(const BatchOutcome& outcome)
  {
    std::map<std::string, TestResult> results;
    for (const auto& result : outcome.results) {
      results[result.id] = result;
    }
    return results;
  }

  TempDir m_dir;
  ProjectConfig m_project;
  SuiteConfig m_suite;
};

TEST_F(GtestRunnerTest, CollectsTheListedTestsWithoutDisabledOnes)
{
  install_fake();
  GtestRunner runner(m_project, m_suite);

  EXPECT_EQ(runner.collect(), (Ids{"Fake.passes", "Fake.crashes", "Fake.fails", "Fake.hangs"}));
}

TEST_F(GtestRunnerTest, MissingBinaryIsAUsageErrorTellingToBuildIt)
{
  GtestRunner runner(m_project, m_suite);
  try {
    runner.collect();
    FAIL() << "collect() accepted a missing binary";
  } catch (const UsageError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("bin/fake-gtest does not exist"), std::string::npos) << message;
    EXPECT_NE(message.find("scripts/build"), std::string::npos) << message;
  }
}

TEST_F(GtestRunnerTest, BatchRunsTheRequestedTestsInOneProcessWithResultsFromTheXml)
{
  install_fake();

  const auto outcome = run({"Fake.passes", "Fake.fails"});

  EXPECT_EQ(lines_of("calls.log"), (Ids{"Fake.passes:Fake.fails"}));
  auto results = by_id(outcome);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results["Fake.passes"].outcome, Outcome::k_passed);
  EXPECT_EQ(results["Fake.fails"].outcome, Outcome::k_failed);
  EXPECT_EQ(results["Fake.fails"].message, "expected 3");
  EXPECT_TRUE(std::filesystem::exists(m_dir.path() / "work/gtest.xml"));
}

TEST_F(GtestRunnerTest, CrashFailsTheCrashingTestAndTheRestOfTheBatchRunsInAFreshProcess)
{
  install_fake();

  const auto outcome = run({"Fake.passes", "Fake.crashes", "Fake.fails"});

  EXPECT_EQ(lines_of("calls.log"), (Ids{"Fake.passes:Fake.crashes:Fake.fails", "Fake.fails"}));
  auto results = by_id(outcome);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results["Fake.passes"].outcome, Outcome::k_passed);
  EXPECT_EQ(results["Fake.crashes"].outcome, Outcome::k_failed);
  EXPECT_EQ(results["Fake.crashes"].message, "crashed: killed by signal 6 (SIGABRT)");
  EXPECT_NE(results["Fake.crashes"].details.find("about to abort"), std::string::npos)
    << results["Fake.crashes"].details;
  EXPECT_EQ(results["Fake.fails"].outcome, Outcome::k_failed);
  EXPECT_EQ(results["Fake.fails"].message, "expected 3");
}

TEST_F(GtestRunnerTest, TestPastItsTimeoutIsStoppedAndFailedAndTheRestGoOn)
{
  install_fake();
  const auto started = std::chrono::steady_clock::now();

  const auto outcome = run({"Fake.passes", "Fake.hangs", "Fake.fails"}, Milliseconds(500));

  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_TRUE(outcome.exit.timed_out);
  EXPECT_EQ(lines_of("calls.log"), (Ids{"Fake.passes:Fake.hangs:Fake.fails", "Fake.fails"}));
  auto results = by_id(outcome);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results["Fake.passes"].outcome, Outcome::k_passed);
  EXPECT_EQ(results["Fake.hangs"].outcome, Outcome::k_failed);
  EXPECT_EQ(results["Fake.hangs"].message, "timeout after 0.50s");
  EXPECT_EQ(results["Fake.fails"].outcome, Outcome::k_failed);
}

TEST_F(GtestRunnerTest, DeathOutsideAnyTestIsAnErrorForEveryTestWithoutAResult)
{
  install_fake();

  const auto outcome =
    run({"Fake.passes", "Fake.fails"}, std::nullopt, {{"FAKE_DIE_AT_START", "1"}});

  EXPECT_EQ(lines_of("calls.log").size(), 1u);
  ASSERT_EQ(outcome.results.size(), 2u);
  for (const auto& result : outcome.results) {
    EXPECT_EQ(result.outcome, Outcome::k_error);
    EXPECT_NE(result.message.find("killed by signal 11 (SIGSEGV) outside any test"),
              std::string::npos)
      << result.message;
  }
}

TEST_F(GtestRunnerTest, InterruptedRunStartsNothingAndReportsTheTestsAsInterrupted)
{
  install_fake();
  simulate_interrupts(1, SIGINT);

  const auto outcome = run({"Fake.passes"});

  EXPECT_TRUE(lines_of("calls.log").empty());
  EXPECT_TRUE(outcome.exit.interrupted);
  ASSERT_EQ(outcome.results.size(), 1u);
  EXPECT_EQ(outcome.results[0].outcome, Outcome::k_error);
  EXPECT_EQ(outcome.results[0].message, "interrupted");
}

TEST_F(GtestRunnerTest, BriefOutputAskedByTheSuiteIsTurnedBackOffAfterItsArgs)
{
  install_fake();
  m_suite.args = {"--gtest_brief=1"};

  run({"Fake.passes"});

  const auto args = lines_of("args.log");
  ASSERT_EQ(args.size(), 1u);
  EXPECT_EQ(args[0].rfind("--gtest_brief=1 --gtest_brief=0 --gtest_filter=Fake.passes ", 0), 0u)
    << args[0];
}

}  // namespace
}  // namespace orchestrate
