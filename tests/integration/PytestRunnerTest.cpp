// PytestRunner against real pytest processes: per-test timeouts, crashes, interrupts and suite
// args, driven directly and through the orchestrate binary. The suites have no fixtures, so no
// stack (and no Docker resource) is ever started.

#include "OrchestrateCli.hpp"
#include "config/ConfigLoader.hpp"
#include "process/ProcStat.hpp"
#include "process/SignalState.hpp"
#include "reporting/JunitXml.hpp"
#include "runners/TestRunner.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <thread>

namespace orchestrate {
namespace {

using Clock = std::chrono::steady_clock;
using testing::ScratchProject;

constexpr const char* k_timeout_tests = R"(import time


def test_before():
    pass


def test_sleeps():
    print("sleeper-started-sleeping", flush=True)
    time.sleep(30)


def test_after_one():
    pass


def test_after_two():
    pass
)";

constexpr const char* k_crash_tests = R"(import os
import signal


def test_first():
    pass


def test_exits():
    print("about-to-exit", flush=True)
    os._exit(3)


def test_between():
    pass


def test_segfaults():
    os.kill(os.getpid(), signal.SIGSEGV)


def test_last():
    pass
)";

// Writes its process group to HANG_PGID_FILE, starts a grandchild in that group, then hangs.
constexpr const char* k_hanging_tests = R"(import os
import subprocess
import time


def test_quick():
    pass


def test_hangs():
    subprocess.Popen(["sleep", "60"])
    with open(os.environ["HANG_PGID_FILE"], "w") as out:
        out.write(str(os.getpgid(0)))
    time.sleep(60)


def test_never_started():
    pass
)";

constexpr const char* k_printing_tests = R"(import pytest


@pytest.fixture
def noisy():
    print("fixture-setup-says-hi")
    yield
    print("fixture-teardown-says-bye")


def test_neighbour():
    print("neighbour-output")


def test_prints_and_fails(noisy):
    print("own-output")
    assert 1 == 2


def test_after():
    print("after-output")
)";

constexpr const char* k_marked_tests = R"(import pytest


@pytest.mark.slow
def test_slow_one():
    pass


def test_fast():
    pass


@pytest.mark.slow
def test_slow_two():
    pass
)";

std::map<std::string, TestResult> by_id(const std::vector<TestResult>& results)
{
  std::map<std::string, TestResult> map;
  for (const auto& result : results) {
    EXPECT_TRUE(map.emplace(result.id, result).second) << "two results for " << result.id;
  }
  return map;
}

std::string describe(const std::vector<TestResult>& results)
{
  std::string text;
  for (const auto& result : results) {
    text += result.id + ": " + std::string(outcome_name(result.outcome)) + " \"" +
            result.message + "\"\n";
  }
  return text;
}

// A scratch project holding one fixture-less pytest suite `name` over suites/<name>/.
class PytestRunnerTest : public ::testing::Test
{
protected:
  void TearDown() override
  {
    reset_interrupts();
  }

  void write_suite(const std::string& name, const std::string& tests,
                   const std::string& extra_yaml = "")
  {
    m_project.write("suites/" + name + ".yaml",
                    "runner: pytest\npaths: [suites/" + name + "]\nfixtures: []\n" + extra_yaml);
    m_project.write("suites/" + name + "/test_" + name + ".py", tests);
  }

  // Collects and runs the suite in one batch, as a shard would.
  BatchOutcome run_suite(const std::string& name, std::optional<Milliseconds> per_test_timeout,
                         const std::map<std::string, std::string>& environment = {})
  {
    const ProjectConfig project = load_project_config(m_project.root());
    const SuiteConfig suite = load_suite_config(project, name);
    const auto runner = make_test_runner(project, suite);
    BatchRequest request;
    request.test_ids = runner->collect();
    EXPECT_FALSE(request.test_ids.empty());
    request.environment = environment;
    request.work_dir = m_project.root() / "work" / name;
    std::filesystem::create_directories(request.work_dir);
    request.log_file = m_project.root() / "work" / (name + ".log");
    request.per_test_timeout = per_test_timeout;
    m_requested = request.test_ids;
    if (m_before_batch) {
      m_before_batch();
    }
    return runner->run_batch(request);
  }

  std::string id(const std::string& suite, const std::string& test) const
  {
    return "suites/" + suite + "/test_" + suite + ".py::" + test;
  }

  ScratchProject m_project;
  std::vector<std::string> m_requested;
  std::function<void()> m_before_batch;  // between collection and the batch
};

TEST_F(PytestRunnerTest, TestPastItsTimeoutFailsWithItsOutputAndTheBatchGoesOn)
{
  write_suite("slow", k_timeout_tests);

  const auto started = Clock::now();
  const auto outcome = run_suite("slow", Milliseconds(2000));
  const auto elapsed = Clock::now() - started;

  EXPECT_LT(elapsed, std::chrono::seconds(15));
  EXPECT_TRUE(outcome.exit.timed_out);
  ASSERT_EQ(outcome.results.size(), 4u) << describe(outcome.results);
  auto results = by_id(outcome.results);
  const auto& sleeper = results[id("slow", "test_sleeps")];
  EXPECT_EQ(sleeper.outcome, Outcome::k_failed);
  EXPECT_EQ(sleeper.message, "timeout after 2.00s");
  EXPECT_NE(sleeper.details.find("sleeper-started-sleeping"), std::string::npos)
    << sleeper.details;
  EXPECT_GE(sleeper.duration, Milliseconds(2000));
  for (const auto* test : {"test_before", "test_after_one", "test_after_two"}) {
    EXPECT_EQ(results[id("slow", test)].outcome, Outcome::k_passed) << describe(outcome.results);
  }
}

TEST_F(PytestRunnerTest, CrashedTestsFailNamingTheCauseWhileTheirNeighboursPass)
{
  write_suite("crash", k_crash_tests);

  const auto outcome = run_suite("crash", std::nullopt);

  ASSERT_EQ(outcome.results.size(), 5u) << describe(outcome.results);
  auto results = by_id(outcome.results);
  const auto& exits = results[id("crash", "test_exits")];
  EXPECT_EQ(exits.outcome, Outcome::k_failed);
  EXPECT_EQ(exits.message, "crashed: pytest exited with code 3 during this test");
  EXPECT_NE(exits.details.find("about-to-exit"), std::string::npos) << exits.details;
  const auto& segfaults = results[id("crash", "test_segfaults")];
  EXPECT_EQ(segfaults.outcome, Outcome::k_failed);
  EXPECT_EQ(segfaults.message, "crashed: killed by signal 11 (SIGSEGV)");
  // pytest's faulthandler prints the Python stack on the way down.
  EXPECT_NE(segfaults.details.find("test_segfaults"), std::string::npos) << segfaults.details;
  for (const auto* test : {"test_first", "test_between", "test_last"}) {
    EXPECT_EQ(results[id("crash", test)].outcome, Outcome::k_passed) << describe(outcome.results);
  }
}

TEST_F(PytestRunnerTest, InterruptStopsTheBatchPromptlyAndLeavesNoProcess)
{
  write_suite("hang", k_hanging_tests);
  const auto pgid_file = m_project.root() / "hang.pgid";
  std::thread interrupter([&] {
    // Interrupt once the hanging test runs, as a user pressing Ctrl-C would.
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (!std::filesystem::exists(pgid_file) && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    simulate_interrupts(1, SIGINT);
  });

  const auto started = Clock::now();
  const auto outcome = run_suite("hang", std::nullopt, {{"HANG_PGID_FILE", pgid_file.string()}});
  const auto elapsed = Clock::now() - started;
  interrupter.join();

  EXPECT_LT(elapsed, std::chrono::seconds(20));
  EXPECT_TRUE(outcome.exit.interrupted);
  ASSERT_EQ(outcome.results.size(), 3u) << describe(outcome.results);
  auto results = by_id(outcome.results);
  EXPECT_EQ(results[id("hang", "test_quick")].outcome, Outcome::k_passed);
  for (const auto* test : {"test_hangs", "test_never_started"}) {
    EXPECT_EQ(results[id("hang", test)].outcome, Outcome::k_error);
    EXPECT_EQ(results[id("hang", test)].message, "interrupted");
  }
  int pgid = 0;
  std::ifstream(pgid_file) >> pgid;
  ASSERT_GT(pgid, 1);
  // pytest and its `sleep` grandchild are gone (a zombie left for init to reap has ended).
  EXPECT_TRUE(running_group_members(pgid).empty()) << "process group " << pgid << " is alive";
}

TEST_F(PytestRunnerTest, FailedTestCarriesItsOwnOutputFromEveryPhase)
{
  write_suite("printing", k_printing_tests);

  const auto outcome = run_suite("printing", std::nullopt);

  ASSERT_EQ(outcome.results.size(), 3u) << describe(outcome.results);
  auto results = by_id(outcome.results);
  const auto& failed = results[id("printing", "test_prints_and_fails")];
  EXPECT_EQ(failed.outcome, Outcome::k_failed);
  EXPECT_NE(failed.details.find("assert 1 == 2"), std::string::npos) << failed.details;
  // Exactly its output: no neighbour's, and not pytest's progress letters between the phases.
  EXPECT_NE(failed.details.find("--- output ---\n"
                                "fixture-setup-says-hi\nown-output\nfixture-teardown-says-bye\n"),
            std::string::npos)
    << failed.details;
  EXPECT_EQ(failed.details.find("neighbour-output"), std::string::npos) << failed.details;
  EXPECT_EQ(failed.details.find("after-output"), std::string::npos) << failed.details;
  EXPECT_EQ(results[id("printing", "test_neighbour")].details, "");
}

TEST_F(PytestRunnerTest, SuiteArgsSelectAtCollectionAndApplyToRuns)
{
  write_suite("marked", k_marked_tests, "args: [\"-m\", \"slow\", \"-W\", \"ignore\"]\n");

  const auto outcome = run_suite("marked", std::nullopt);

  const std::vector<std::string> slow_tests{id("marked", "test_slow_one"),
                                            id("marked", "test_slow_two")};
  EXPECT_EQ(m_requested, slow_tests);
  ASSERT_EQ(outcome.results.size(), 2u) << describe(outcome.results);
  for (const auto& result : outcome.results) {
    EXPECT_EQ(result.outcome, Outcome::k_passed) << describe(outcome.results);
  }
  EXPECT_TRUE(outcome.exit.succeeded());
}

// A hang outside any test (here: importing the test module, which pytest does again in the batch
// process) is bounded too: the batch's tests become errors saying so, instead of a shard that
// waits forever. The import hangs only in the batch, not at collection, through a marker file.
TEST_F(PytestRunnerTest, BatchStuckOutsideAnyTestIsStoppedAndItsTestsAreErrors)
{
  const auto marker = m_project.root() / "hang-now";
  write_suite("stuck",
              "import os\nimport time\n\n"
              "if os.path.exists('" + marker.string() + "'):\n"
              "    time.sleep(3600)\n\n\n"
              "def test_one():\n    pass\n\n\ndef test_two():\n    pass\n");
  m_before_batch = [&] { m_project.write("hang-now", ""); };

  const auto started = Clock::now();
  const auto outcome = run_suite("stuck", Milliseconds(1'000));

  ASSERT_EQ(outcome.results.size(), 2u) << describe(outcome.results);
  for (const auto& result : outcome.results) {
    EXPECT_EQ(result.outcome, Outcome::k_error) << describe(outcome.results);
    EXPECT_NE(result.message.find("pytest ran no test for 15.00s"), std::string::npos)
      << describe(outcome.results);
  }
  EXPECT_TRUE(outcome.exit.timed_out);
  // Stopped at the bound (15 s), not after the hour the module sleeps.
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(120));
}

// `-v` turns pytest's collect-only output into a tree; the ids come from the plugin, not from it.
TEST_F(PytestRunnerTest, VerboseSuiteArgsDoNotChangeWhatIsCollected)
{
  write_suite("verbose", k_marked_tests, "args: [\"-v\", \"-v\"]\n");

  const auto outcome = run_suite("verbose", std::nullopt);

  const std::vector<std::string> all_tests{id("verbose", "test_slow_one"),
                                           id("verbose", "test_fast"),
                                           id("verbose", "test_slow_two")};
  EXPECT_EQ(m_requested, all_tests);
  ASSERT_EQ(outcome.results.size(), 3u) << describe(outcome.results);
  EXPECT_TRUE(outcome.exit.succeeded());
}

TEST_F(PytestRunnerTest, BinaryFailsTimedOutAndCrashedTestsAndRunsTheRest)
{
  write_suite("mixed", std::string(k_timeout_tests) + "\n\n" + k_crash_tests,
              "test_timeout: 2s\n");
  const auto junit_file = m_project.root() / "report" / "junit.xml";

  const auto started = Clock::now();
  const auto run = m_project.run({"--suite", "mixed", "--parallel", "1", "--junit-xml",
                                  junit_file.string()});
  const auto elapsed = Clock::now() - started;

  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_LT(elapsed, std::chrono::seconds(25)) << run.output;
  const auto results = read_junit_xml(junit_file);
  ASSERT_EQ(results.size(), 9u) << describe(results) << run.output;
  auto by_test = by_id(results);
  EXPECT_EQ(by_test[id("mixed", "test_sleeps")].message, "timeout after 2.00s");
  EXPECT_NE(by_test[id("mixed", "test_sleeps")].details.find("sleeper-started-sleeping"),
            std::string::npos);
  EXPECT_EQ(by_test[id("mixed", "test_exits")].message,
            "crashed: pytest exited with code 3 during this test");
  EXPECT_EQ(by_test[id("mixed", "test_segfaults")].message,
            "crashed: killed by signal 11 (SIGSEGV)");
  int passed = 0;
  for (const auto& result : results) {
    passed += result.outcome == Outcome::k_passed ? 1 : 0;
  }
  EXPECT_EQ(passed, 6) << describe(results);
}

}  // namespace
}  // namespace orchestrate
