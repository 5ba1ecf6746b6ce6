// The conventions a pytest and CI user types without thinking, through the real binary: --co,
// positional ids and paths, -m, --durations, --color, ORCHESTRATE_* variables, config discovery,
// empty CI shares, --repeat, --version and the generated completions. Suites without services
// where no stack is involved; one run against a real stack.

#include "OrchestrateCli.hpp"
#include "reporting/JsonReport.hpp"

#include <gtest/gtest.h>
#include <set>
#include <sstream>

namespace orchestrate {
namespace {

using testing::CliRun;
using testing::run_orchestrate;
using testing::ScratchProject;

// Three tests without services; `test_slow` is marked slow.
constexpr const char* k_plain_tests = R"(import pytest


def test_alpha():
    assert True


def test_beta():
    assert True


@pytest.mark.slow
def test_slow():
    assert True
)";

// Fails on its third run: the run count is kept in a file next to it.
constexpr const char* k_flaky_test = R"(import os

COUNTER = os.path.join(os.path.dirname(__file__), "runs.txt")


def test_fails_on_third_run():
    runs = int(open(COUNTER).read()) + 1 if os.path.exists(COUNTER) else 1
    open(COUNTER, "w").write(str(runs))
    assert runs != 3, "third run fails"


def test_steady():
    assert True
)";

class PytestConventionsTest : public ::testing::Test
{
protected:
  PytestConventionsTest()
  {
    m_project.write("pytest.ini", "[pytest]\nmarkers =\n    slow: a slow test\n");
    m_project.write("suites/plain.yaml", "paths: [tests/plain]\n");
    m_project.write("tests/plain/test_plain.py", k_plain_tests);
  }

  // Runs orchestrate from `folder` (default: the project root) without -C, so the project is
  // found by walking up, with `environment` added (NO_COLOR empty unless given).
  CliRun run_in(const std::vector<std::string>& arguments,
                std::map<std::string, std::string> environment = {},
                const std::string& folder = "") const
  {
    ProcessOptions options;
    options.argv = {ORCHESTRATE_BINARY};
    options.argv.insert(options.argv.end(), arguments.begin(), arguments.end());
    options.working_directory = m_project.root() / folder;
    options.extra_environment = std::move(environment);
    options.extra_environment.emplace("NO_COLOR", "");
    options.capture_output = true;
    const auto result = run_command(options, Milliseconds(300'000));
    return {result.exit.exit_code, result.output};
  }

  static bool contains(const CliRun& run, const std::string& text)
  {
    return run.output.find(text) != std::string::npos;
  }

  ScratchProject m_project;
};

TEST_F(PytestConventionsTest, CollectOnlyPrintsTheSelectedIdsAndRunsNothing)
{
  const auto all = run_in({"--suite", "plain", "--co"});
  EXPECT_EQ(all.exit_code, 0) << all.output;
  EXPECT_TRUE(contains(all, "tests/plain/test_plain.py::test_alpha\n"
                            "tests/plain/test_plain.py::test_beta\n"
                            "tests/plain/test_plain.py::test_slow\n\n3 tests collected in "))
    << all.output;
  EXPECT_FALSE(std::filesystem::exists(m_project.root() / ".orchestrate/durations.json"));

  const auto keyword = run_in({"--suite", "plain", "--collect-only", "-k", "beta"});
  EXPECT_EQ(keyword.exit_code, 0) << keyword.output;
  EXPECT_TRUE(contains(keyword, "test_plain.py::test_beta\n\n1/3 tests collected (2 deselected)"))
    << keyword.output;
  EXPECT_FALSE(contains(keyword, "test_alpha"));

  const auto none = run_in({"--suite", "plain", "--co", "-k", "nothing_matches"});
  EXPECT_EQ(none.exit_code, 5) << none.output;
  EXPECT_TRUE(contains(none, "no tests collected (3 deselected)")) << none.output;
}

TEST_F(PytestConventionsTest, CollectOnlyWithShardListsOnlyThisMachinesShare)
{
  std::set<std::string> union_of_shares;
  for (const char* share : {"1/2", "2/2"}) {
    const auto run = run_in({"--suite", "plain", "--co", "--shard", share});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    std::istringstream lines(run.output);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("tests/plain/", 0) == 0) {
        EXPECT_TRUE(union_of_shares.insert(line).second) << line << " listed by two shares";
      }
    }
  }
  EXPECT_EQ(union_of_shares.size(), 3u);
}

TEST_F(PytestConventionsTest, MarkerExpressionSelectsAtPytestCollection)
{
  const auto slow = run_in({"--suite", "plain", "--co", "-m", "slow"});
  EXPECT_EQ(slow.exit_code, 0) << slow.output;
  EXPECT_TRUE(contains(slow, "test_plain.py::test_slow\n\n1 test collected")) << slow.output;

  const auto fast = run_in({"--suite", "plain", "-m", "not slow", "-q"});
  EXPECT_EQ(fast.exit_code, 0) << fast.output;
  EXPECT_TRUE(contains(fast, "2 passed")) << fast.output;

  m_project.write("suites/commands.yaml",
                  "runner: command\ncommands:\n  - {name: t, run: [\"true\"]}\n");
  const auto wrong_runner = run_in({"--suite", "commands", "-m", "slow"});
  EXPECT_EQ(wrong_runner.exit_code, 4) << wrong_runner.output;
  EXPECT_TRUE(contains(wrong_runner, "-m: markers are pytest's")) << wrong_runner.output;
}

TEST_F(PytestConventionsTest, PositionalPathsFromASubfolderFindTheProjectAndTheSuite)
{
  // No -C and no --suite: the project is the nearest orchestrate.yaml above, the suite the one
  // whose paths hold the path, and the path is relative to where the user stands.
  const auto run = run_in({"test_plain.py::test_beta", "-v"}, {}, "tests/plain");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run, "tests/plain/test_plain.py::test_beta PASSED")) << run.output;
  EXPECT_TRUE(contains(run, "1 passed, 2 deselected")) << run.output;
  EXPECT_TRUE(contains(run, "configuration: " + (m_project.root() / "orchestrate.yaml").string()))
    << run.output;

  const auto missing = run_in({"--suite", "plain", "tests/plain/test_plain.py::test_gamma"});
  EXPECT_EQ(missing.exit_code, 4) << missing.output;
  EXPECT_TRUE(contains(missing, "not found: tests/plain/test_plain.py::test_gamma"))
    << missing.output;
}

TEST_F(PytestConventionsTest, WithoutAProjectAboveItSaysSoAndExitsFour)
{
  TempDir elsewhere;
  const auto run = run_orchestrate({"--suite", "plain"}, elsewhere.path());
  EXPECT_EQ(run.exit_code, 4) << run.output;
  EXPECT_TRUE(contains(run, "no orchestrate.yaml in " + elsewhere.path().string() +
                              " or any folder above it"))
    << run.output;
}

TEST_F(PytestConventionsTest, EnvironmentVariablesSetOptionsAndTheCommandLineWins)
{
  const auto from_addopts =
    run_in({"--suite", "plain"}, {{"ORCHESTRATE_ADDOPTS", "--co -k 'alpha or beta'"}});
  EXPECT_EQ(from_addopts.exit_code, 0) << from_addopts.output;
  EXPECT_TRUE(contains(from_addopts, "2/3 tests collected (1 deselected)")) << from_addopts.output;

  const auto command_line_wins = run_in({"--suite", "plain", "-k", "slow"},
                                        {{"ORCHESTRATE_COLLECT_ONLY", "1"},
                                         {"ORCHESTRATE_KEYWORD", "alpha"}});
  EXPECT_EQ(command_line_wins.exit_code, 0) << command_line_wins.output;
  EXPECT_TRUE(contains(command_line_wins, "test_plain.py::test_slow\n\n1/3 tests collected"))
    << command_line_wins.output;

  const auto bad = run_in({"--suite", "plain"}, {{"ORCHESTRATE_MAXFAIL", "many"}});
  EXPECT_EQ(bad.exit_code, 4) << bad.output;
  EXPECT_TRUE(contains(bad, "ORCHESTRATE_MAXFAIL='many'")) << bad.output;
}

TEST_F(PytestConventionsTest, ColorFollowsTheOptionAndForceColor)
{
  // A command suite: no pytest start-up in the four runs.
  m_project.write("suites/quick.yaml", "runner: command\ncommands:\n  - {name: t, run: [\"true\"]}\n");
  const auto forced = run_in({"--suite", "quick", "-q"}, {{"FORCE_COLOR", "1"}});
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_TRUE(contains(forced, "\033[32m")) << forced.output;

  const auto no_color_wins = run_in({"--suite", "quick", "-q"},
                                    {{"FORCE_COLOR", "1"}, {"NO_COLOR", "1"}});
  EXPECT_FALSE(contains(no_color_wins, "\033[")) << no_color_wins.output;

  const auto yes = run_in({"--suite", "quick", "-q", "--color", "yes"}, {{"NO_COLOR", "1"}});
  EXPECT_TRUE(contains(yes, "\033[32m")) << yes.output;

  const auto bad = run_in({"--suite", "quick", "--color", "always"});
  EXPECT_EQ(bad.exit_code, 4) << bad.output;
}

TEST_F(PytestConventionsTest, EmptyShareExitsZeroAndItsReportsMergeWithTheOthers)
{
  std::vector<std::string> reports;
  for (int index = 1; index <= 4; ++index) {
    const auto share = std::to_string(index) + "/4";
    const auto report = (m_project.root() / ("share-" + std::to_string(index) + ".json")).string();
    const auto junit = (m_project.root() / ("share-" + std::to_string(index) + ".xml")).string();
    const auto run = run_in({"--suite", "plain", "--shard", share, "--report-json", report,
                             "--junit-xml", junit, "-q"});
    EXPECT_EQ(run.exit_code, 0) << share << "\n" << run.output;
    EXPECT_TRUE(std::filesystem::exists(report)) << share;
    EXPECT_TRUE(std::filesystem::exists(junit)) << share;
    if (index == 4) {
      EXPECT_TRUE(contains(run, "--shard 4/4: no test falls to this share (3 selected in all, plan "
                                "fingerprint "))
        << run.output;
      EXPECT_TRUE(contains(run, "); nothing to run\n")) << run.output;
      EXPECT_FALSE(contains(run, "--shard 4/4: 0 tests")) << run.output;
    }
    reports.push_back(report);
  }
  std::vector<std::string> merge{"merge"};
  merge.insert(merge.end(), reports.begin(), reports.end());
  const auto merged = run_in(merge);
  EXPECT_EQ(merged.exit_code, 0) << merged.output;
  EXPECT_TRUE(contains(merged, "3 passed")) << merged.output;
}

TEST_F(PytestConventionsTest, RepeatUntilFailStopsAtTheFirstFailureAndCountsEveryRun)
{
  m_project.write("suites/flaky.yaml", "paths: [tests/flaky]\n");
  m_project.write("tests/flaky/test_flaky.py", k_flaky_test);

  const auto run = run_in({"--suite", "flaky", "--repeat", "until-fail:3", "-n", "1", "-q"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(contains(run, "repeat until-fail:3: passed/failed runs per test\n"
                            "  tests/flaky/test_flaky.py::test_fails_on_third_run: passed 2, "
                            "failed 1 of 3 runs  FLAKY\n"
                            "  1 other test never failed\n"))
    << run.output;
  EXPECT_TRUE(contains(run, "third run fails")) << run.output;

  // The next run is its third again: it fails once, then passes, and the run passes.
  m_project.write("tests/flaky/runs.txt", "2");
  const auto until_pass =
    run_in({"--suite", "flaky", "--repeat", "until-pass:3", "-q", "-k", "third"});
  EXPECT_EQ(until_pass.exit_code, 0) << until_pass.output;
  EXPECT_TRUE(contains(until_pass, "test_fails_on_third_run: passed 1, failed 1 of 2 runs  FLAKY"))
    << until_pass.output;

  const auto bad = run_in({"--suite", "flaky", "--repeat", "until-fail:0"});
  EXPECT_EQ(bad.exit_code, 4) << bad.output;
}

TEST_F(PytestConventionsTest, EveryCommandAnswersVersion)
{
  for (const char* command : {"run", "cleanup", "env", "lock", "lint", "merge", "validate"}) {
    const auto run = run_in({command, "--version"});
    EXPECT_EQ(run.exit_code, 0) << command << "\n" << run.output;
    EXPECT_EQ(run.output, std::string("orchestrate ") + ORCHESTRATE_VERSION + "\n") << command;
  }
}

TEST_F(PytestConventionsTest, GeneratedCompletionsAndManPageWorkInTheirTools)
{
  const auto bash = run_in({"completion", "bash"});
  ASSERT_EQ(bash.exit_code, 0) << bash.output;
  m_project.write("orchestrate.bash", bash.output);
  for (const char* option : {"--collect-only", "--repeat", "--durations", "--color", "--markers"}) {
    EXPECT_TRUE(contains(bash, option)) << option;
  }
  // bash parses it, and completing `orchestrate --col` offers the options starting so.
  ProcessOptions check;
  check.argv = {"bash", "-c",
                "source \"$0\" && COMP_WORDS=(orchestrate --col) && COMP_CWORD=1 && "
                "_orchestrate && printf '%s\\n' \"${COMPREPLY[@]}\"",
                (m_project.root() / "orchestrate.bash").string()};
  check.capture_output = true;
  const auto completed = run_command(check, Milliseconds(30'000));
  EXPECT_EQ(completed.exit.exit_code, 0) << completed.output;
  EXPECT_EQ(completed.output, "--collect-only\n--color\n");

  // zsh parses its file, and fish completes from its own the way bash does.
  for (const char* shell : {"zsh", "fish"}) {
    const auto script = run_in({"completion", shell});
    ASSERT_EQ(script.exit_code, 0) << script.output;
    m_project.write(std::string("completion.") + shell, script.output);
  }
  ProcessOptions zsh;
  zsh.argv = {"zsh", "-n", (m_project.root() / "completion.zsh").string()};
  zsh.capture_output = true;
  const auto zsh_parsed = run_command(zsh, Milliseconds(30'000));
  EXPECT_EQ(zsh_parsed.exit.exit_code, 0) << zsh_parsed.output;
  ProcessOptions fish;
  fish.argv = {"fish", "-c", "source $argv[1]; complete -C 'orchestrate env '",
               (m_project.root() / "completion.fish").string()};
  fish.capture_output = true;
  const auto fish_completed = run_command(fish, Milliseconds(30'000));
  EXPECT_EQ(fish_completed.exit.exit_code, 0) << fish_completed.output;
  EXPECT_EQ(fish_completed.output, "down\nstatus\nup\n");

  const auto man = run_in({"completion", "man"});
  ASSERT_EQ(man.exit_code, 0) << man.output;
  m_project.write("orchestrate.1", man.output);
  ProcessOptions render;
  render.argv = {"groff", "-man", "-Tutf8", "-ww", "-z", (m_project.root() / "orchestrate.1").string()};
  render.capture_output = true;
  const auto rendered = run_command(render, Milliseconds(30'000));
  EXPECT_EQ(rendered.exit.exit_code, 0) << rendered.output;
  EXPECT_EQ(rendered.output, "") << "groff warnings";
}

// Against a real stack: a node id given alone (no --suite, no -C) runs just that test with the
// suite's fixtures, --durations shows the shard's stack times, and nothing is left behind.
TEST_F(PytestConventionsTest, NodeIdAloneRunsThatTestAgainstARealStackWithDurations)
{
  DockerCleanup safety_net(m_project.label());
  m_project.write("suites/db.yaml", "paths: [tests/db]\nfixtures: [postgres]\n");
  m_project.write("tests/db/test_db.py", R"(import os
import psycopg2


def test_select_one():
    connection = psycopg2.connect(os.environ["DATABASE_URL"])
    cursor = connection.cursor()
    cursor.execute("select 1")
    assert cursor.fetchone()[0] == 1


def test_not_asked_for():
    assert False, "must not run"
)");
  const auto run = run_in({"tests/db/test_db.py::test_select_one", "--durations", "5"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run, "1 passed, 1 deselected")) << run.output;
  EXPECT_TRUE(contains(run, " slowest 5 durations ")) << run.output;
  EXPECT_TRUE(contains(run, "tests/db/test_db.py::test_select_one\n")) << run.output;
  EXPECT_TRUE(contains(run, "shard   stack up     ready     tests  teardown  tests run\n    1 "))
    << run.output;
  const auto left = leftovers_with_label(m_project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

}  // namespace
}  // namespace orchestrate
