#include "runners/PytestWorkerProtocol.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace orchestrate {
namespace {

using Kind = PytestWorkerMessage::Kind;

// Lines as the worker plugin writes them (checked against pytest 7.2's output).
TEST(PytestWorkerProtocolTest, ParsesTheCollectedIdsAndCollectionErrors)
{
  const auto message = parse_worker_message(
    R"({"event": "collected", "ids": ["t/test_a.py::test_one", "t/test_a.py::test_two[x y]"],)"
    R"( "errors": [{"nodeid": "t/test_b.py", "longrepr": "ImportError: no module named b"}]})");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->kind, Kind::k_collected);
  EXPECT_EQ(message->ids,
            (std::vector<std::string>{"t/test_a.py::test_one", "t/test_a.py::test_two[x y]"}));
  ASSERT_EQ(message->collection_errors.size(), 1U);
  EXPECT_EQ(message->collection_errors[0].nodeid, "t/test_b.py");
  EXPECT_EQ(message->collection_errors[0].longrepr, "ImportError: no module named b");
}

TEST(PytestWorkerProtocolTest, ParsesAnEmptyCollection)
{
  const auto message = parse_worker_message(R"({"event": "collected", "ids": [], "errors": []})");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->kind, Kind::k_collected);
  EXPECT_TRUE(message->ids.empty());
}

TEST(PytestWorkerProtocolTest, RejectsACollectionWhoseIdsAreNotStrings)
{
  EXPECT_FALSE(parse_worker_message(R"({"event": "collected", "ids": [1, 2]})"));
  EXPECT_FALSE(parse_worker_message(R"({"event": "collected"})"));
}

TEST(PytestWorkerProtocolTest, ParsesAPhaseResultWithItsCapturedOutput)
{
  const auto message = parse_worker_message(
    R"({"event": "result", "nodeid": "t/test_a.py::test_two", "when": "call", "outcome": )"
    R"("failed", "duration": 0.25, "message": "assert 0", "longrepr": "E   assert 0", )"
    R"("wasxfail": null, "output": "--- Captured stdout call ---\nhello\n"})");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->kind, Kind::k_progress);
  EXPECT_EQ(message->progress.kind, PytestProgressEvent::Kind::k_result);
  EXPECT_EQ(message->progress.nodeid, "t/test_a.py::test_two");
  EXPECT_EQ(message->progress.when, "call");
  EXPECT_EQ(message->progress.outcome, "failed");
  EXPECT_EQ(message->progress.duration, Milliseconds(250));
  EXPECT_EQ(message->progress.message, "assert 0");
  EXPECT_EQ(message->output, "--- Captured stdout call ---\nhello\n");
}

TEST(PytestWorkerProtocolTest, ParsesStartAndFinish)
{
  const auto start =
    parse_worker_message(R"({"event": "start", "nodeid": "t/test_a.py::x", "log_offset": 120})");
  ASSERT_TRUE(start);
  EXPECT_EQ(start->kind, Kind::k_progress);
  EXPECT_EQ(start->progress.kind, PytestProgressEvent::Kind::k_start);
  EXPECT_EQ(start->progress.log_offset, 120U);
  const auto finish = parse_worker_message(R"({"event": "finish", "nodeid": "t/test_a.py::x"})");
  ASSERT_TRUE(finish);
  EXPECT_EQ(finish->progress.kind, PytestProgressEvent::Kind::k_finish);
}

TEST(PytestWorkerProtocolTest, ParsesNotFoundAndNeedMore)
{
  const auto not_found = parse_worker_message(R"({"event": "not_found", "nodeid": "gone"})");
  ASSERT_TRUE(not_found);
  EXPECT_EQ(not_found->kind, Kind::k_not_found);
  EXPECT_EQ(not_found->nodeid, "gone");
  const auto need_more = parse_worker_message(R"({"event": "need_more", "queued": 1})");
  ASSERT_TRUE(need_more);
  EXPECT_EQ(need_more->kind, Kind::k_need_more);
  EXPECT_EQ(need_more->queued, 1U);
}

TEST(PytestWorkerProtocolTest, IgnoresLinesThatAreNotMessages)
{
  EXPECT_FALSE(parse_worker_message(""));
  EXPECT_FALSE(parse_worker_message("collected 3 items"));
  EXPECT_FALSE(parse_worker_message(R"({"event": "start", "nodeid": "t/test_a.py::x")"));
  EXPECT_FALSE(parse_worker_message(R"({"event": "unknown", "nodeid": "x"})"));
  EXPECT_FALSE(parse_worker_message(R"({"event": "not_found"})"));
  EXPECT_FALSE(parse_worker_message(R"(["event", "start"])"));
}

TEST(PytestWorkerProtocolTest, RunCommandIsOneJsonLineWithTheIdsInOrder)
{
  const std::string line = worker_run_command({"t/a.py::b", "t/a.py::c[\"quoted\" id]"});
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["command"], "run");
  EXPECT_EQ(parsed["ids"], (nlohmann::json{"t/a.py::b", "t/a.py::c[\"quoted\" id]"}));
}

TEST(PytestWorkerProtocolTest, ShutdownCommandIsOneJsonLine)
{
  const std::string line = worker_shutdown_command();
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_EQ(nlohmann::json::parse(line)["command"], "shutdown");
}

}  // namespace
}  // namespace orchestrate
