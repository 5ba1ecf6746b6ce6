#include "runners/PytestProgress.hpp"
#include "runners/PytestProgressPlugin.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace orchestrate {
namespace {

using Kind = PytestProgressEvent::Kind;
using Clock = PytestProgressTracker::Clock;

// Lines as the plugin writes them (checked against pytest 7.2's output).
constexpr const char* k_passing_test =
  R"({"event": "start", "nodeid": "t/test_a.py::test_pass", "time": 1700000000.5, "log_offset": 0}
{"event": "result", "nodeid": "t/test_a.py::test_pass", "when": "setup", "outcome": "passed", "duration": 0.0002, "message": "", "longrepr": "", "wasxfail": null, "log_offset": 0, "log_resume": 0}
{"event": "result", "nodeid": "t/test_a.py::test_pass", "when": "call", "outcome": "passed", "duration": 1.25, "message": "", "longrepr": "", "wasxfail": null, "log_offset": 16, "log_resume": 17}
{"event": "result", "nodeid": "t/test_a.py::test_pass", "when": "teardown", "outcome": "passed", "duration": 0.0001, "message": "", "longrepr": "", "wasxfail": null, "log_offset": 30, "log_resume": 30}
{"event": "finish", "nodeid": "t/test_a.py::test_pass", "time": 1700000001.8}
)";

PytestProgressEvent result_event(const std::string& when, const std::string& outcome,
                                 const std::string& message = "",
                                 std::optional<std::string> wasxfail = std::nullopt)
{
  PytestProgressEvent event;
  event.kind = Kind::k_result;
  event.nodeid = "t/test_a.py::test_x";
  event.when = when;
  event.outcome = outcome;
  event.duration = Milliseconds(100);
  event.message = message;
  event.longrepr = outcome == "failed" ? "Traceback of " + when : "";
  event.wasxfail = std::move(wasxfail);
  return event;
}

PytestTestProgress test_with(std::vector<PytestProgressEvent> phases)
{
  PytestTestProgress test;
  test.nodeid = "t/test_a.py::test_x";
  test.phases = std::move(phases);
  return test;
}

TEST(PytestProgressTest, ParsesStartResultAndFinishLinesWithTheirFields)
{
  const auto events = parse_progress_lines(k_passing_test);

  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].kind, Kind::k_start);
  EXPECT_EQ(events[0].nodeid, "t/test_a.py::test_pass");
  EXPECT_EQ(events[0].log_offset, 0u);
  EXPECT_EQ(events[2].kind, Kind::k_result);
  EXPECT_EQ(events[2].when, "call");
  EXPECT_EQ(events[2].outcome, "passed");
  EXPECT_EQ(events[2].duration, Milliseconds(1250));
  EXPECT_EQ(events[2].log_offset, 16u);
  EXPECT_EQ(events[2].log_resume, 17u);
  EXPECT_FALSE(events[2].wasxfail.has_value());
  EXPECT_EQ(events[4].kind, Kind::k_finish);
}

TEST(PytestProgressTest, SkipsMalformedCutShortAndUnknownLines)
{
  const auto events = parse_progress_lines(
    "not json\n"
    "{\"event\": \"start\", \"nodeid\": \"t/test_a.py::test_one\", \"log_offset\": null}\n"
    "{\"event\": \"collected\", \"nodeid\": \"t/test_a.py::test_one\"}\n"
    "{\"event\": \"start\"}\n"
    "\n"
    "{\"event\": \"result\", \"nodeid\": \"t/test_a.py::test_one\", \"when\": \"ca");

  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].nodeid, "t/test_a.py::test_one");
  EXPECT_FALSE(events[0].log_offset.has_value());
}

TEST(PytestProgressTest, TellsAnEmptyXfailReasonFromNoXfailMark)
{
  const auto events = parse_progress_lines(
    "{\"event\": \"result\", \"nodeid\": \"a.py::x\", \"when\": \"call\", \"outcome\": "
    "\"skipped\", \"wasxfail\": \"\"}\n"
    "{\"event\": \"result\", \"nodeid\": \"a.py::y\", \"when\": \"call\", \"outcome\": "
    "\"skipped\", \"wasxfail\": null}\n");

  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].wasxfail, std::optional<std::string>(""));
  EXPECT_FALSE(events[1].wasxfail.has_value());
}

TEST(PytestProgressTest, TrackerKnowsTheRunningTestUntilItsTeardownResult)
{
  const auto events = parse_progress_lines(k_passing_test);
  PytestProgressTracker tracker;
  const auto started = Clock::now();

  tracker.apply(events[0], started);
  ASSERT_NE(tracker.running(), nullptr);
  EXPECT_EQ(tracker.running()->nodeid, "t/test_a.py::test_pass");
  EXPECT_EQ(tracker.running_since(), started);
  tracker.apply(events[1], Clock::now());
  tracker.apply(events[2], Clock::now());
  EXPECT_NE(tracker.running(), nullptr);
  tracker.apply(events[3], Clock::now());

  EXPECT_EQ(tracker.running(), nullptr);
  ASSERT_EQ(tracker.finished().size(), 1u);
  const auto& finished = tracker.finished().front();
  EXPECT_EQ(finished.phases.size(), 3u);
  // The call's output, then the teardown's after pytest's progress letter (byte 16).
  EXPECT_EQ(finished.output, (std::vector<LogRange>{{0, 16}, {17, 30}}));
  EXPECT_EQ(finished.output_resume, 30u);
  // The finish event after the teardown changes nothing.
  tracker.apply(events[4], Clock::now());
  EXPECT_EQ(tracker.finished().size(), 1u);
}

TEST(PytestProgressTest, TrackerLeavesATestThatNeverFinishedRunning)
{
  PytestProgressTracker tracker;
  for (const auto& event : parse_progress_lines(
         "{\"event\": \"start\", \"nodeid\": \"a.py::slow\", \"log_offset\": 40}\n"
         "{\"event\": \"result\", \"nodeid\": \"a.py::slow\", \"when\": \"setup\", "
         "\"outcome\": \"passed\", \"log_offset\": 45, \"log_resume\": 45}\n")) {
    tracker.apply(event, Clock::now());
  }

  ASSERT_NE(tracker.running(), nullptr);
  EXPECT_EQ(tracker.running()->nodeid, "a.py::slow");
  EXPECT_EQ(tracker.running()->output, (std::vector<LogRange>{{40, 45}}));
  EXPECT_EQ(tracker.running()->output_resume, 45u);
  EXPECT_TRUE(tracker.finished().empty());
}

TEST(PytestProgressTest, FoldsPassedPhasesIntoAPassWithTheSummedDuration)
{
  const auto result = result_from_progress(test_with(
    {result_event("setup", "passed"), result_event("call", "passed"),
     result_event("teardown", "passed")}));

  EXPECT_EQ(result.outcome, Outcome::k_passed);
  EXPECT_EQ(result.duration, Milliseconds(300));
  EXPECT_EQ(result.id, "t/test_a.py::test_x");
  EXPECT_EQ(result.classname, "t.test_a");
  EXPECT_EQ(result.name, "test_x");
  EXPECT_TRUE(result.details.empty());
}

TEST(PytestProgressTest, FailedCallIsAFailureWithAOneLineMessageAndTheTraceback)
{
  const auto result = result_from_progress(test_with(
    {result_event("setup", "passed"),
     result_event("call", "failed", "AssertionError: nope\nassert 1 == 2"),
     result_event("teardown", "passed")}));

  EXPECT_EQ(result.outcome, Outcome::k_failed);
  EXPECT_EQ(result.message, "AssertionError: nope assert 1 == 2");
  EXPECT_EQ(result.details, "Traceback of call");
}

TEST(PytestProgressTest, FailedSetupIsAnErrorNamingThePhase)
{
  const auto result = result_from_progress(test_with(
    {result_event("setup", "failed", "RuntimeError: boom"), result_event("teardown", "passed")}));

  EXPECT_EQ(result.outcome, Outcome::k_error);
  EXPECT_EQ(result.message, "failed on setup with \"RuntimeError: boom\"");
}

TEST(PytestProgressTest, TeardownErrorTurnsAPassIntoAnErrorButNotAFailure)
{
  const auto passed_then_error = result_from_progress(test_with(
    {result_event("setup", "passed"), result_event("call", "passed"),
     result_event("teardown", "failed", "OSError: gone")}));
  const auto failed_then_error = result_from_progress(test_with(
    {result_event("setup", "passed"), result_event("call", "failed", "assert 0"),
     result_event("teardown", "failed", "OSError: gone")}));

  EXPECT_EQ(passed_then_error.outcome, Outcome::k_error);
  EXPECT_EQ(passed_then_error.message, "failed on teardown with \"OSError: gone\"");
  EXPECT_EQ(failed_then_error.outcome, Outcome::k_failed);
  EXPECT_EQ(failed_then_error.message, "assert 0");
  EXPECT_EQ(failed_then_error.details, "Traceback of call\nTraceback of teardown");
}

TEST(PytestProgressTest, SkipsAndXfailMarksKeepTheirReasons)
{
  const auto skipped = result_from_progress(test_with(
    {result_event("setup", "skipped", "Skipped: not today"), result_event("teardown", "passed")}));
  const auto xfailed = result_from_progress(test_with(
    {result_event("setup", "passed"), result_event("call", "skipped", "assert False", "known"),
     result_event("teardown", "passed")}));
  const auto xpassed = result_from_progress(test_with(
    {result_event("setup", "passed"), result_event("call", "passed", "", "known"),
     result_event("teardown", "passed")}));

  EXPECT_EQ(skipped.outcome, Outcome::k_skipped);
  EXPECT_EQ(skipped.message, "not today");
  EXPECT_EQ(xfailed.outcome, Outcome::k_xfailed);
  EXPECT_EQ(xfailed.message, "known");
  EXPECT_TRUE(xfailed.details.empty());
  EXPECT_EQ(xpassed.outcome, Outcome::k_xpassed);
}

TEST(PytestProgressTest, ATestWithNoPhasesIsAnError)
{
  const auto result = result_from_progress(test_with({}));

  EXPECT_EQ(result.outcome, Outcome::k_error);
  EXPECT_FALSE(result.message.empty());
}

TEST(PytestProgressTest, JunitNamesFollowPytestsManglingOfNodeIds)
{
  using Names = std::pair<std::string, std::string>;
  EXPECT_EQ(pytest_junit_names("suites/unit/test_a.py::test_b"),
            Names("suites.unit.test_a", "test_b"));
  EXPECT_EQ(pytest_junit_names("t/test_a.py::TestC::test_d[x::y/z]"),
            Names("t.test_a.TestC", "test_d[x::y/z]"));
  EXPECT_EQ(pytest_junit_names("checks.py::test_e"), Names("checks", "test_e"));
}

TEST(PytestProgressTest, ProgressFileYieldsOnlyCompletedLinesAsTheyArrive)
{
  TempDir dir;
  const auto path = dir.path() / "progress.jsonl";
  PytestProgressFile file(path);
  EXPECT_TRUE(file.read_new().empty());

  const std::string text = k_passing_test;
  const auto second_line = text.find('\n') + 1;
  const auto cut = second_line + 20;
  std::ofstream(path, std::ios::binary) << text.substr(0, cut);
  const auto first = file.read_new();
  std::ofstream(path, std::ios::binary | std::ios::app) << text.substr(cut);
  const auto rest = file.read_new();

  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].kind, Kind::k_start);
  ASSERT_EQ(rest.size(), 4u);
  EXPECT_EQ(rest[0].when, "setup");
  EXPECT_TRUE(file.read_new().empty());
}

TEST(PytestProgressTest, PluginDirectoryHoldsTheModuleAndIsRemovedWithItsOwner)
{
  std::filesystem::path directory;
  {
    PytestPluginDirectory plugin;
    directory = plugin.path();
    const auto module = directory / (std::string(PytestProgressPlugin::k_module) + ".py");
    ASSERT_TRUE(std::filesystem::exists(module));
    EXPECT_EQ(std::filesystem::file_size(module), PytestProgressPlugin::source().size());
    PytestPluginDirectory moved = std::move(plugin);
    EXPECT_EQ(moved.path(), directory);
    EXPECT_TRUE(plugin.path().empty());
  }

  EXPECT_FALSE(std::filesystem::exists(directory));
}

}  // namespace
}  // namespace orchestrate
