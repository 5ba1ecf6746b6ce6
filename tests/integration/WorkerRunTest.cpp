// Runs through the real binary with persistent pytest workers (one per shard, fed test by test):
// a worker that is killed mid-test is replaced and the other tests run once each; a hanging test
// is timed out and its shard goes on; a worker that cannot even start is restarted a bounded
// number of times and the run says so. No services: these runs start no stack.

#include "OrchestrateCli.hpp"
#include "reporting/JsonReport.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

namespace orchestrate {
namespace {

using testing::CliRun;
using testing::ScratchProject;

// Every test appends "<its name> <its process id>" to runs.txt in the project root (pytest runs
// from there), so the test can count how often each ran and in how many processes.
constexpr const char* k_recording_conftest = R"(import os

import pytest


@pytest.fixture(autouse=True)
def record_run(request):
    with open("runs.txt", "a") as runs:
        runs.write(f"{request.node.name} {os.getpid()}\n")
    yield
)";

// test_00 kills its own process (collected first, so the first shard takes it first, with two
// more queued behind it).
constexpr const char* k_killing_tests = R"(import os
import signal

import pytest


def test_00_kills_its_worker():
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("n", range(1, 12))
def test_more(n):
    assert n > 0
)";

constexpr const char* k_hanging_tests = R"(import time

import pytest


def test_0_hangs():
    time.sleep(120)


@pytest.mark.parametrize("n", range(1, 6))
def test_after(n):
    assert n > 0
)";

class WorkerRunTest : public ::testing::Test
{
protected:
  RunReport run_suite(const std::string& suite, const std::vector<std::string>& more, CliRun& run)
  {
    const auto file = project.root() / "report.json";
    std::vector<std::string> arguments{"--suite", suite, "--report-json", file.string()};
    arguments.insert(arguments.end(), more.begin(), more.end());
    run = project.run(arguments);
    return read_json_report(file);
  }

  // How often each test ran, and the distinct processes they ran in, from runs.txt.
  std::pair<std::map<std::string, int>, std::set<std::string>> recorded_runs() const
  {
    std::map<std::string, int> runs_per_test;
    std::set<std::string> processes;
    std::ifstream in(project.root() / "runs.txt");
    std::string name;
    std::string pid;
    while (in >> name >> pid) {
      ++runs_per_test[name];
      processes.insert(pid);
    }
    return {runs_per_test, processes};
  }

  const TestResult* result_named(const RunReport& report, const std::string& part) const
  {
    for (const auto& test : report.tests) {
      if (test.id.find(part) != std::string::npos) {
        return &test;
      }
    }
    return nullptr;
  }

  ScratchProject project;
};

TEST_F(WorkerRunTest, WorkerKilledMidTestIsReplacedAndEveryOtherTestRunsOnce)
{
  project.write("suites/killing.yaml", "paths: [suites/killing]\n");
  project.write("suites/killing/conftest.py", k_recording_conftest);
  project.write("suites/killing/test_killing.py", k_killing_tests);

  CliRun run;
  const auto report = run_suite("killing", {"--parallel", "2"}, run);

  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_EQ(report.counts.failed, 1) << run.output;
  EXPECT_EQ(report.counts.passed, 11) << run.output;
  const auto* killed = result_named(report, "test_00_kills_its_worker");
  ASSERT_NE(killed, nullptr);
  EXPECT_NE(killed->message.find("killed by signal 9"), std::string::npos) << killed->message;
  const auto [runs_per_test, processes] = recorded_runs();
  EXPECT_EQ(runs_per_test.size(), 12u);
  for (const auto& [name, runs] : runs_per_test) {
    EXPECT_EQ(runs, 1) << name << " ran " << runs << " times";
  }
  // Two workers and the one that replaced the killed worker: twelve tests, three processes.
  EXPECT_EQ(processes.size(), 3u);
}

TEST_F(WorkerRunTest, HangingTestIsTimedOutAndTheShardGoesOn)
{
  project.write("suites/hanging.yaml", "paths: [suites/hanging]\ntest_timeout: 2s\n");
  project.write("suites/hanging/conftest.py", k_recording_conftest);
  project.write("suites/hanging/test_hanging.py", k_hanging_tests);

  CliRun run;
  const auto report = run_suite("hanging", {"--parallel", "1"}, run);

  EXPECT_EQ(run.exit_code, 1) << run.output;
  const auto* hung = result_named(report, "test_0_hangs");
  ASSERT_NE(hung, nullptr);
  EXPECT_EQ(hung->outcome, Outcome::k_failed);
  EXPECT_NE(hung->message.find("timeout after 2"), std::string::npos) << hung->message;
  // One shard: the tests after the hanging one ran in it, in the worker that replaced it.
  EXPECT_EQ(report.counts.passed, 5) << run.output;
  EXPECT_EQ(recorded_runs().second.size(), 2u);
}

TEST_F(WorkerRunTest, WorkerThatDiesAtEveryStartEndsItsShardSayingTheRestartBound)
{
  project.write("suites/dying.yaml", "paths: [suites/dying]\n");
  // Collection by orchestrate itself passes; every shard's worker (it has a shard index) dies
  // while importing the conftest.
  project.write("suites/dying/conftest.py",
                "import os\n\nif os.environ.get('ORCHESTRATE_SHARD_INDEX'):\n    os._exit(3)\n");
  project.write("suites/dying/test_dying.py", "def test_one():\n    pass\n");

  CliRun run;
  const auto report = run_suite("dying", {"--parallel", "1"}, run);

  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("at most 4 restarts per shard"), std::string::npos) << run.output;
  EXPECT_EQ(report.counts.passed, 0) << run.output;
  EXPECT_EQ(report.counts.errors, 1) << run.output;
}

// Shard 1's worker opens before the tests are selected, told the --parallel asked for; -k then
// leaves one test, so one shard. The worker is told the final count instead of being replaced
// (a second start-up would be most of a one-test run): one process imports the tests, and the
// test sees the count of shards that ran.
TEST_F(WorkerRunTest, NarrowedRunTellsTheEarlyWorkerTheShardCountInsteadOfReplacingIt)
{
  project.write("suites/narrowed.yaml", "paths: [suites/narrowed]\n");
  project.write("suites/narrowed/conftest.py",
                "import os\n"
                "with open('imports.txt', 'a') as imports:\n"
                "    imports.write(f'{os.getpid()}\\n')\n");
  project.write("suites/narrowed/test_narrowed.py",
                "import os\n\n\n"
                "def test_a():\n    pass\n\n\n"
                "def test_b_sees_one_shard():\n"
                "    assert os.environ['ORCHESTRATE_SHARD_COUNT'] == '1'\n\n\n"
                "def test_c():\n    pass\n");

  CliRun run;
  const auto report = run_suite("narrowed", {"--parallel", "3", "-k", "test_b"}, run);

  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(report.counts.passed, 1) << run.output;
  std::ifstream imports(project.root() / "imports.txt");
  std::set<std::string> processes;
  for (std::string pid; imports >> pid;) {
    processes.insert(pid);
  }
  EXPECT_EQ(processes.size(), 1u) << run.output;
}

}  // namespace
}  // namespace orchestrate
