// PytestWorker against real pytest processes on suites written to a temp dir: order, fixtures
// kept across tests, crashes, timeouts, floods of output, slow imports, unittest classes and the
// environment. The suites have no fixtures, so no Docker resource is ever started.

#include "process/ProcStat.hpp"
#include "runners/PytestWorker.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace orchestrate {
namespace {

using Kind = PytestWorkerEvent::Kind;
using Clock = std::chrono::steady_clock;

// Generous: pytest starts in about a second on a loaded machine.
constexpr Milliseconds k_bound(60'000);

// A module fixture and a class fixture that note their setup and teardown, and tests that note
// themselves, all in the file named by WORKER_TRACE; one test fails with some output.
constexpr const char* k_fixture_tests = R"(import os
import unittest

import pytest


def note(text):
    with open(os.environ["WORKER_TRACE"], "a") as out:
        out.write(text + "\n")


@pytest.fixture(scope="module")
def shared():
    note("module-setup")
    yield
    note("module-teardown")


def test_a(shared):
    note("a")


def test_b(shared):
    note("b")


def test_c(shared):
    note("c")
    print("c-says-something")
    assert 1 == 2


class TestCaseStyle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        note("class-setup")

    @classmethod
    def tearDownClass(cls):
        note("class-teardown")

    def test_x(self):
        note("x")

    def test_y(self):
        note("y")
)";

constexpr const char* k_crash_tests = R"(import os
import signal


def test_first():
    pass


def test_exits():
    print("about-to-exit", flush=True)
    os._exit(3)


def test_kills_itself():
    os.kill(os.getpid(), signal.SIGKILL)


def test_after_one():
    pass


def test_after_two():
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

// 8 MiB to stdout and 1 MiB to stderr, then a failure.
constexpr const char* k_chatty_tests = R"(import sys


def test_floods():
    for _ in range(8 * 1024):
        sys.stdout.write("x" * 1023 + "\n")
    sys.stderr.write("e" * (1024 * 1024))
    assert False, "flooded"


def test_after():
    pass
)";

constexpr const char* k_import_time_tests = R"(import os
import time

time.sleep(1)
SEEN_AT_IMPORT = os.environ.get("WORKER_FIXTURE_URL")


def test_sees_the_environment_at_import():
    assert SEEN_AT_IMPORT == "postgres://localhost:5999/db"
)";

class PytestWorkerTest : public ::testing::Test
{
protected:
  void write(const std::string& name, const std::string& text)
  {
    std::filesystem::create_directories(m_dir.path() / "tests");
    std::ofstream(m_dir.path() / "tests" / name) << text;
  }

  PytestWorkerOptions options(std::vector<std::string> args = {})
  {
    PytestWorkerOptions options;
    options.root = m_dir.path();
    options.paths = {"tests"};
    options.args = std::move(args);
    options.log_file = m_dir.path() / "shard.log";
    return options;
  }

  // The next event, failing the test when none comes within k_bound.
  static PytestWorkerEvent next(PytestWorker& worker)
  {
    auto event = worker.next_event(k_bound);
    EXPECT_TRUE(event) << "no event from the worker within " << k_bound.count() << " ms";
    if (event) {
      return std::move(*event);
    }
    PytestWorkerEvent none;
    none.kind = Kind::k_exited;
    none.cause = "no event";
    return none;
  }

  // Waits for the collection and returns its ids.
  static std::vector<std::string> wait_collected(PytestWorker& worker)
  {
    while (true) {
      auto event = next(worker);
      if (event.kind == Kind::k_collected) {
        return event.ids;
      }
      if (event.kind == Kind::k_exited) {
        ADD_FAILURE() << "worker ended before collecting: " << event.cause;
        return {};
      }
    }
  }

  // Submits `ids`, shuts the worker down and returns every event until k_exited.
  static std::vector<PytestWorkerEvent> run_all(PytestWorker& worker,
                                                const std::vector<std::string>& ids)
  {
    worker.submit(ids);
    worker.shutdown();
    return events_until_exit(worker);
  }

  // Every event until k_exited (the last one returned).
  static std::vector<PytestWorkerEvent> events_until_exit(PytestWorker& worker)
  {
    std::vector<PytestWorkerEvent> events;
    while (events.empty() || events.back().kind != Kind::k_exited) {
      events.push_back(next(worker));
    }
    return events;
  }

  static std::vector<PytestWorkerEvent> of_kind(const std::vector<PytestWorkerEvent>& events,
                                                Kind kind)
  {
    std::vector<PytestWorkerEvent> found;
    for (const auto& event : events) {
      if (event.kind == kind) {
        found.push_back(event);
      }
    }
    return found;
  }

  std::string read(const std::filesystem::path& file)
  {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::string id(const std::string& module, const std::string& test) const
  {
    return "tests/" + module + "::" + test;
  }

  TempDir m_dir;
};

TEST_F(PytestWorkerTest, RunsTestsInTheOrderSentAndTearsModuleFixturesDownOnlyAtTheEnd)
{
  write("test_fixtures.py", k_fixture_tests);
  PytestWorker worker(options());
  worker.start({{"WORKER_TRACE", (m_dir.path() / "trace.txt").string()}});
  const auto collected = wait_collected(worker);
  EXPECT_EQ(collected, (std::vector<std::string>{
                         id("test_fixtures.py", "test_a"), id("test_fixtures.py", "test_b"),
                         id("test_fixtures.py", "test_c"),
                         id("test_fixtures.py", "TestCaseStyle::test_x"),
                         id("test_fixtures.py", "TestCaseStyle::test_y")}));
  ASSERT_TRUE(worker.collected());

  // Sent in two pieces, in an order that is not pytest's.
  worker.submit({id("test_fixtures.py", "test_c"), id("test_fixtures.py", "test_a")});
  worker.submit({id("test_fixtures.py", "TestCaseStyle::test_y"),
                 id("test_fixtures.py", "TestCaseStyle::test_x"),
                 id("test_fixtures.py", "test_b")});
  worker.shutdown();
  const auto events = events_until_exit(worker);

  std::vector<std::string> finished;
  for (const auto& event : of_kind(events, Kind::k_finished)) {
    finished.push_back(event.test_id);
    const bool is_c = event.test_id == id("test_fixtures.py", "test_c");
    EXPECT_EQ(event.result.outcome, is_c ? Outcome::k_failed : Outcome::k_passed)
      << event.test_id << ": " << event.result.message;
    EXPECT_EQ(event.failed, is_c);
    if (is_c) {
      EXPECT_NE(event.result.message.find("assert 1 == 2"), std::string::npos);
      EXPECT_NE(event.result.details.find("c-says-something"), std::string::npos)
        << event.result.details;
    }
  }
  EXPECT_EQ(finished, (std::vector<std::string>{
                        id("test_fixtures.py", "test_c"), id("test_fixtures.py", "test_a"),
                        id("test_fixtures.py", "TestCaseStyle::test_y"),
                        id("test_fixtures.py", "TestCaseStyle::test_x"),
                        id("test_fixtures.py", "test_b")}));
  EXPECT_EQ(of_kind(events, Kind::k_started).size(), 5U);
  // The module fixture lives across the class in between (pytest's nextitem decides), the class
  // is set up once.
  EXPECT_EQ(read(m_dir.path() / "trace.txt"),
            "module-setup\nc\na\nclass-setup\ny\nx\nclass-teardown\nb\nmodule-teardown\n");
  const auto& exited = events.back();
  EXPECT_TRUE(exited.expected) << exited.cause;
  EXPECT_TRUE(exited.ids.empty());
  EXPECT_TRUE(worker.queued().empty());
}

TEST_F(PytestWorkerTest, HoldsTheLastTestUntilItKnowsTheNextOrIsShutDown)
{
  write("test_fixtures.py", k_fixture_tests);
  PytestWorker worker(options());
  worker.start({{"WORKER_TRACE", (m_dir.path() / "trace.txt").string()}});
  wait_collected(worker);
  worker.submit({id("test_fixtures.py", "test_a")});
  // One test queued: the worker asks for more instead of running it.
  bool asked = false;
  for (int i = 0; i < 3 && !asked; ++i) {
    const auto event = next(worker);
    ASSERT_NE(event.kind, Kind::k_started);
    asked = event.kind == Kind::k_need_more && event.queued == 1;
  }
  EXPECT_TRUE(asked);
  EXPECT_EQ(worker.queued().size(), 1U);
  const auto events = worker.finish(k_bound);
  ASSERT_EQ(of_kind(events, Kind::k_finished).size(), 1U);
  EXPECT_EQ(of_kind(events, Kind::k_finished)[0].result.outcome, Outcome::k_passed);
  EXPECT_TRUE(events.back().expected) << events.back().cause;
}

TEST_F(PytestWorkerTest, ATestThatExitsTheProcessFailsNamingTheCodeAndTheRestComeBack)
{
  write("test_crash.py", k_crash_tests);
  // -s: the test's output goes to the shard log, from which its output so far is read back.
  PytestWorker worker(options({"-s"}));
  worker.start({});
  wait_collected(worker);
  worker.submit({id("test_crash.py", "test_first"), id("test_crash.py", "test_exits"),
                 id("test_crash.py", "test_after_one"), id("test_crash.py", "test_after_two")});
  const auto events = events_until_exit(worker);
  const auto finished = of_kind(events, Kind::k_finished);
  ASSERT_EQ(finished.size(), 2U);
  EXPECT_EQ(finished[0].result.outcome, Outcome::k_passed);
  EXPECT_EQ(finished[1].test_id, id("test_crash.py", "test_exits"));
  EXPECT_EQ(finished[1].result.outcome, Outcome::k_failed);
  EXPECT_EQ(finished[1].result.message, "crashed: pytest exited with code 3 during this test");
  EXPECT_TRUE(finished[1].failed);
  EXPECT_NE(finished[1].result.details.find("about-to-exit"), std::string::npos)
    << finished[1].result.details;
  const auto& exited = events.back();
  EXPECT_FALSE(exited.expected);
  EXPECT_EQ(exited.exit.exit_code, 3);
  EXPECT_EQ(exited.ids, (std::vector<std::string>{id("test_crash.py", "test_after_one"),
                                                  id("test_crash.py", "test_after_two")}));
  EXPECT_TRUE(worker.exited());
  EXPECT_FALSE(worker.next_event(Milliseconds(0)));
}

TEST_F(PytestWorkerTest, ATestThatSigkillsItsWorkerFailsNamingTheSignal)
{
  write("test_crash.py", k_crash_tests);
  PytestWorker worker(options());
  worker.start({});
  wait_collected(worker);
  const auto events = run_all(
    worker, {id("test_crash.py", "test_kills_itself"), id("test_crash.py", "test_after_one")});
  const auto finished = of_kind(events, Kind::k_finished);
  ASSERT_EQ(finished.size(), 1U);
  EXPECT_EQ(finished[0].test_id, id("test_crash.py", "test_kills_itself"));
  EXPECT_EQ(finished[0].result.message, "crashed: killed by signal 9 (SIGKILL)");
  EXPECT_EQ(events.back().exit.signal, 9);
  EXPECT_EQ(events.back().ids, (std::vector<std::string>{id("test_crash.py", "test_after_one")}));
  EXPECT_NE(read(m_dir.path() / "shard.log").find("test_kills_itself: crashed"),
            std::string::npos);
}

TEST_F(PytestWorkerTest, AHangingTestIsTimedOutWithItsProcessGroup)
{
  write("test_hang.py", k_hanging_tests);
  auto settings = options();
  settings.per_test_timeout = Milliseconds(1500);
  const auto pgid_file = m_dir.path() / "pgid";
  PytestWorker worker(settings);
  worker.start({{"HANG_PGID_FILE", pgid_file.string()}});
  wait_collected(worker);
  worker.submit({id("test_hang.py", "test_quick"), id("test_hang.py", "test_hangs"),
                 id("test_hang.py", "test_never_started")});
  const auto events = events_until_exit(worker);
  const auto finished = of_kind(events, Kind::k_finished);
  ASSERT_EQ(finished.size(), 2U);
  EXPECT_EQ(finished[0].result.outcome, Outcome::k_passed);
  EXPECT_EQ(finished[1].test_id, id("test_hang.py", "test_hangs"));
  EXPECT_EQ(finished[1].result.message, "timeout after 1.50s");
  EXPECT_GE(finished[1].result.duration, Milliseconds(1500));
  EXPECT_EQ(events.back().cause, "timeout after 1.50s");
  EXPECT_EQ(events.back().ids,
            (std::vector<std::string>{id("test_hang.py", "test_never_started")}));
  // The test's own child (sleep 60) went with the group.
  const int pgid = std::stoi(read(pgid_file));
  EXPECT_EQ(pgid, worker.pid());
  EXPECT_TRUE(running_group_members(pgid).empty());
}

TEST_F(PytestWorkerTest, DestroyingAWorkerKillsItsProcessGroupMidTest)
{
  write("test_hang.py", k_hanging_tests);
  const auto pgid_file = m_dir.path() / "pgid";
  int pgid = 0;
  {
    PytestWorker worker(options());
    worker.start({{"HANG_PGID_FILE", pgid_file.string()}});
    wait_collected(worker);
    worker.submit({id("test_hang.py", "test_hangs"), id("test_hang.py", "test_quick")});
    while (!std::filesystem::exists(pgid_file) || read(pgid_file).empty()) {
      ASSERT_TRUE(worker.next_event(Milliseconds(100)) || !worker.exited());
    }
    pgid = worker.pid();
    EXPECT_EQ(worker.running(), id("test_hang.py", "test_hangs"));
  }
  EXPECT_TRUE(running_group_members(pgid).empty());
}

TEST_F(PytestWorkerTest, MegabytesOfOutputDoNotBlockTheProtocolAndComeBackAsTheirTail)
{
  write("test_chatty.py", k_chatty_tests);
  PytestWorker worker(options());
  worker.start({});
  wait_collected(worker);
  const auto events =
    run_all(worker, {id("test_chatty.py", "test_floods"), id("test_chatty.py", "test_after")});
  const auto finished = of_kind(events, Kind::k_finished);
  ASSERT_EQ(finished.size(), 2U);
  EXPECT_EQ(finished[0].result.outcome, Outcome::k_failed);
  EXPECT_NE(finished[0].result.message.find("flooded"), std::string::npos);
  // Captured by pytest, sent as the tail of each stream.
  EXPECT_NE(finished[0].result.details.find("characters of output left out"), std::string::npos);
  EXPECT_LT(finished[0].result.details.size(), 256U * 1024);
  EXPECT_EQ(finished[1].result.outcome, Outcome::k_passed);
  EXPECT_TRUE(events.back().expected) << events.back().cause;
}

TEST_F(PytestWorkerTest, UncapturedOutputGoesToTheShardLogWithoutBlockingTheProtocol)
{
  write("test_chatty.py", k_chatty_tests);
  PytestWorker worker(options({"-s"}));
  worker.start({});
  wait_collected(worker);
  const auto events =
    run_all(worker, {id("test_chatty.py", "test_floods"), id("test_chatty.py", "test_after")});
  const auto finished = of_kind(events, Kind::k_finished);
  ASSERT_EQ(finished.size(), 2U);
  EXPECT_EQ(finished[1].result.outcome, Outcome::k_passed);
  EXPECT_GE(std::filesystem::file_size(m_dir.path() / "shard.log"), 9U * 1024 * 1024);
  // The failure's details hold the tail of its output, read back from the log.
  EXPECT_NE(finished[0].result.details.find("bytes of output left out"), std::string::npos);
  EXPECT_NE(finished[0].result.details.find("eeee"), std::string::npos);
  EXPECT_LT(finished[0].result.details.size(), 256U * 1024);
}

TEST_F(PytestWorkerTest, TestsSeeTheEnvironmentAtImportAfterASlowImport)
{
  write("test_import.py", k_import_time_tests);
  PytestWorker worker(options());
  worker.start({{"WORKER_FIXTURE_URL", "postgres://localhost:5999/db"}});
  const auto collected = wait_collected(worker);
  ASSERT_EQ(collected.size(), 1U);
  worker.submit(collected);
  const auto events = worker.finish(k_bound);
  const auto finished = of_kind(events, Kind::k_finished);
  ASSERT_EQ(finished.size(), 1U);
  EXPECT_EQ(finished[0].result.outcome, Outcome::k_passed) << finished[0].result.details;
}

TEST_F(PytestWorkerTest, ACollectionPastItsBoundStopsTheWorkerAndSaysSo)
{
  write("test_import.py", "import time\ntime.sleep(60)\n\ndef test_never():\n    pass\n");
  auto settings = options();
  settings.collection_timeout = Milliseconds(1000);
  PytestWorker worker(settings);
  worker.start({});
  const auto events = events_until_exit(worker);
  EXPECT_TRUE(of_kind(events, Kind::k_collected).empty());
  EXPECT_EQ(events.back().cause, "pytest did not collect within 1.00s");
  EXPECT_TRUE(running_group_members(worker.pid()).empty());
}

TEST_F(PytestWorkerTest, ReportsCollectionErrorsAndIdsItDidNotCollect)
{
  write("test_broken.py", "import no_such_module_here\n");
  write("test_fine.py", "def test_ok():\n    pass\n");
  PytestWorker worker(options());
  worker.start({});
  std::optional<PytestWorkerEvent> collected;
  while (!collected) {
    auto event = next(worker);
    ASSERT_NE(event.kind, Kind::k_exited) << event.cause;
    if (event.kind == Kind::k_collected) {
      collected = event;
    }
  }
  EXPECT_EQ(collected->ids, (std::vector<std::string>{id("test_fine.py", "test_ok")}));
  ASSERT_EQ(collected->collection_errors.size(), 1U);
  EXPECT_NE(collected->collection_errors[0].find("no_such_module_here"), std::string::npos);
  worker.submit({"tests/test_gone.py::test_missing", id("test_fine.py", "test_ok")});
  const auto events = worker.finish(k_bound);
  const auto finished = of_kind(events, Kind::k_finished);
  ASSERT_EQ(finished.size(), 2U);
  EXPECT_EQ(finished[0].test_id, "tests/test_gone.py::test_missing");
  EXPECT_EQ(finished[0].result.outcome, Outcome::k_error);
  EXPECT_NE(finished[0].result.message.find("did not collect"), std::string::npos);
  EXPECT_EQ(finished[1].result.outcome, Outcome::k_passed);
  EXPECT_TRUE(events.back().expected) << events.back().cause;
}

TEST_F(PytestWorkerTest, RunsTwoThousandTrivialTestsInOneProcessInTheOrderSent)
{
  std::string tests;
  for (int i = 0; i < 2000; ++i) {
    tests += "def test_" + std::to_string(i) + "():\n    assert " + std::to_string(i) + " == " +
             std::to_string(i) + "\n\n";
  }
  write("test_many.py", tests);
  PytestWorker worker(options());
  const auto began = Clock::now();
  worker.start({});
  auto ids = wait_collected(worker);
  ASSERT_EQ(ids.size(), 2000U);
  std::reverse(ids.begin(), ids.end());
  // Topped up a hundred at a time, as a pull scheduler would.
  std::size_t sent = 0;
  std::vector<std::string> finished;
  while (finished.size() < ids.size()) {
    if (sent < ids.size() && worker.queued().size() < 50) {
      const auto end = std::min(sent + 100, ids.size());
      worker.submit({ids.begin() + static_cast<std::ptrdiff_t>(sent),
                     ids.begin() + static_cast<std::ptrdiff_t>(end)});
      sent = end;
      if (sent == ids.size()) {
        worker.shutdown();
      }
    }
    const auto event = next(worker);
    ASSERT_NE(event.kind, Kind::k_exited) << event.cause;
    if (event.kind == Kind::k_finished) {
      ASSERT_EQ(event.result.outcome, Outcome::k_passed) << event.test_id;
      finished.push_back(event.test_id);
    }
  }
  EXPECT_EQ(finished, ids);
  EXPECT_TRUE(next(worker).expected);
  std::cout << "2000 trivial tests through one worker: "
            << std::chrono::duration_cast<Milliseconds>(Clock::now() - began).count()
            << " ms from start to exit\n";
}

TEST_F(PytestWorkerTest, AUsageErrorEndsTheWorkerWithPytestsMessage)
{
  write("test_fine.py", "def test_ok():\n    pass\n");
  PytestWorker worker(options({"--no-such-option"}));
  worker.start({});
  const auto events = events_until_exit(worker);
  EXPECT_EQ(events.back().exit.exit_code, 4);
  EXPECT_NE(events.back().cause.find("before collecting"), std::string::npos);
  EXPECT_NE(events.back().cause.find("--no-such-option"), std::string::npos) << events.back().cause;
}

}  // namespace
}  // namespace orchestrate
