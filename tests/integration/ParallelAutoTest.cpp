// `--parallel auto` through the real binary: it runs, says what it chose and why in one line, and
// the report has that many shards; `parallel: auto` in orchestrate.yaml does the same unless the
// command line gives a number. A suite without services, so no stack is involved.

#include "OrchestrateCli.hpp"
#include "reporting/JsonReport.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace orchestrate {
namespace {

using testing::ScratchProject;

constexpr const char* k_tests = R"(def test_alpha():
    assert True


def test_beta():
    assert True


def test_gamma():
    assert True
)";

class ParallelAutoTest : public ::testing::Test
{
protected:
  ParallelAutoTest()
  {
    m_project.write("suites/plain.yaml", "paths: [tests]\n");
    m_project.write("tests/test_plain.py", k_tests);
  }

  // The shard count the `--parallel auto:` line names, or -1 when there is no such line.
  static int chosen_shards(const std::string& output)
  {
    std::smatch match;
    if (!std::regex_search(output, match, std::regex(R"(--parallel auto: (\d+) shards?, )"))) {
      return -1;
    }
    return std::stoi(match[1]);
  }

  ScratchProject m_project;
};

TEST_F(ParallelAutoTest, AutoRunsTheSuiteAndSaysWhatItChoseAndWhy)
{
  const auto report = m_project.root() / "report.json";

  const auto run = m_project.run({"--suite", "plain", "-n", "auto", "--report-json",
                                  report.string()});

  ASSERT_EQ(run.exit_code, 0) << run.output;
  const int shards = chosen_shards(run.output);
  ASSERT_GE(shards, 1) << run.output;
  EXPECT_LE(shards, 3) << run.output;  // never more shards than tests
  EXPECT_NE(run.output.find("no stacks: at most one shard per core"), std::string::npos)
    << run.output;
  const auto written = read_json_report(report);
  EXPECT_EQ(written.counts.passed, 3);
  EXPECT_EQ(static_cast<int>(written.shards.size()), shards);
}

TEST_F(ParallelAutoTest, ConfiguredAutoYieldsToANumberOnTheCommandLine)
{
  m_project.write("orchestrate.yaml", "project: " + m_project.prefix() +
                                        "\nenvironments:\n  test: {compose_files: [" +
                                        (testing::k_source_dir /
                                         "compose/docker-compose.test.yml").string() +
                                        "]}\ndefaults: {parallel: auto}\n");

  const auto configured = m_project.run({"--suite", "plain"});
  EXPECT_EQ(configured.exit_code, 0) << configured.output;
  EXPECT_GE(chosen_shards(configured.output), 1) << configured.output;

  const auto overridden = m_project.run({"--suite", "plain", "-n", "1"});
  EXPECT_EQ(overridden.exit_code, 0) << overridden.output;
  EXPECT_EQ(chosen_shards(overridden.output), -1) << overridden.output;
}

TEST_F(ParallelAutoTest, AnythingElseThanANumberOrAutoIsAUsageError)
{
  const auto run = m_project.run({"--suite", "plain", "-n", "lots"});

  EXPECT_EQ(run.exit_code, 4) << run.output;
  EXPECT_NE(run.output.find("--parallel: expected a number of shards or auto, got 'lots'"),
            std::string::npos)
    << run.output;
}

}  // namespace
}  // namespace orchestrate
