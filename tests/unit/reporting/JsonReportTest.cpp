#include "reporting/JsonReport.hpp"

#include "core/Error.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>

namespace orchestrate {
namespace {

RunReport sample_report()
{
  RunReport report;
  report.run_id = "20261126-030641-ab12";
  report.suite = "integration";
  report.environment = "test";
  report.exit_code = ExitCode::k_tests_failed;
  report.wall_time = Milliseconds{12'345};
  report.time_to_first_test = Milliseconds{2'101};
  report.time_to_first_up = Milliseconds{42};
  report.peak_memory_bytes = 215ull << 20;
  report.orchestrator_cpu = Milliseconds{321};
  report.counts = SummaryCounts{.failed = 1, .passed = 2, .skipped = 5, .deselected = 3,
                               .xfailed = 6, .xpassed = 7, .errors = 8, .flaky = 1, .reruns = 1,
                               .not_run = 4};

  ShardTiming first;
  first.shard = 1;
  first.project = "app-test-ab12-s1";
  first.stack_up = Milliseconds{2'001};
  first.ready = Milliseconds{999};
  first.tests = Milliseconds{8'765};
  first.teardown = Milliseconds{401};
  first.peak_memory_bytes = 110ull << 20;
  first.tests_run = 2;
  first.stack_recreations = 1;
  first.engine = "build-2";
  first.tests_ended = Milliseconds{11'766};
  ShardTiming second = first;
  second.shard = 2;
  second.project = "app-test-ab12-s2";
  second.tests_run = 1;
  second.error = "postgres: not ready after 60.00s";
  report.shards = {first, second};

  TestResult passed;
  passed.id = "suites/test_a.py::test_ok";
  passed.duration = Milliseconds{1'001};
  passed.shard = 1;
  TestResult flaky = passed;
  flaky.id = "suites/test_a.py::test_flaky[1-a]";
  flaky.attempts = 2;
  flaky.flaky = true;
  TestResult failed = passed;
  failed.id = "suites/test_b.py::TestC::test_bad";
  failed.outcome = Outcome::k_failed;
  failed.shard = 2;
  failed.message = "assert \"a\" == 'b' \xc3\xa9";
  report.tests = {passed, flaky, failed};
  return report;
}

void write_text(const std::filesystem::path& file, const std::string& text)
{
  std::ofstream(file) << text;
}

std::string error_of(const std::filesystem::path& file)
{
  try {
    read_json_report(file);
  } catch (const InternalError& error) {
    return error.what();
  }
  return "no error";
}

TEST(JsonReportTest, RoundTripKeepsEveryField)
{
  const TempDir directory;
  const auto file = directory.path() / "out" / "report.json";
  const RunReport written = sample_report();
  write_json_report(file, written);
  const RunReport read = read_json_report(file);

  EXPECT_EQ(read.run_id, written.run_id);
  EXPECT_EQ(read.suite, written.suite);
  EXPECT_EQ(read.environment, written.environment);
  EXPECT_EQ(read.exit_code, ExitCode::k_tests_failed);
  EXPECT_EQ(read.wall_time, written.wall_time);
  EXPECT_EQ(read.time_to_first_test, written.time_to_first_test);
  EXPECT_EQ(read.time_to_first_up, written.time_to_first_up);
  EXPECT_EQ(read.peak_memory_bytes, written.peak_memory_bytes);
  EXPECT_EQ(read.orchestrator_cpu, written.orchestrator_cpu);
  EXPECT_EQ(read.counts, written.counts);

  ASSERT_EQ(read.shards.size(), 2u);
  for (std::size_t i = 0; i < read.shards.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(read.shards[i].shard, written.shards[i].shard);
    EXPECT_EQ(read.shards[i].project, written.shards[i].project);
    EXPECT_EQ(read.shards[i].stack_up, written.shards[i].stack_up);
    EXPECT_EQ(read.shards[i].ready, written.shards[i].ready);
    EXPECT_EQ(read.shards[i].tests, written.shards[i].tests);
    EXPECT_EQ(read.shards[i].teardown, written.shards[i].teardown);
    EXPECT_EQ(read.shards[i].peak_memory_bytes, written.shards[i].peak_memory_bytes);
    EXPECT_EQ(read.shards[i].tests_run, written.shards[i].tests_run);
    EXPECT_EQ(read.shards[i].stack_recreations, written.shards[i].stack_recreations);
    EXPECT_EQ(read.shards[i].tests_ended, written.shards[i].tests_ended);
    EXPECT_EQ(read.shards[i].error, written.shards[i].error);
    EXPECT_EQ(read.shards[i].engine, written.shards[i].engine);
  }

  ASSERT_EQ(read.tests.size(), 3u);
  for (std::size_t i = 0; i < read.tests.size(); ++i) {
    SCOPED_TRACE(written.tests[i].id);
    EXPECT_EQ(read.tests[i].id, written.tests[i].id);
    EXPECT_EQ(read.tests[i].outcome, written.tests[i].outcome);
    EXPECT_EQ(read.tests[i].duration, written.tests[i].duration);
    EXPECT_EQ(read.tests[i].shard, written.tests[i].shard);
    EXPECT_EQ(read.tests[i].attempts, written.tests[i].attempts);
    EXPECT_EQ(read.tests[i].flaky, written.tests[i].flaky);
    EXPECT_EQ(read.tests[i].message, written.tests[i].message);
  }
}

TEST(JsonReportTest, WritesTimesAsSecondsAndOutcomesByName)
{
  const TempDir directory;
  const auto file = directory.path() / "report.json";
  write_json_report(file, sample_report());
  std::ifstream stream(file);
  const nlohmann::json json = nlohmann::json::parse(stream);
  EXPECT_DOUBLE_EQ(json.at("wall_time").get<double>(), 12.345);
  EXPECT_EQ(json.at("exit_code"), 1);
  EXPECT_DOUBLE_EQ(json.at("shards").at(0).at("stack_up").get<double>(), 2.001);
  EXPECT_DOUBLE_EQ(json.at("shards").at(0).at("tests_ended").get<double>(), 11.766);
  EXPECT_EQ(json.at("tests").at(2).at("outcome"), "failed");
  EXPECT_DOUBLE_EQ(json.at("tests").at(0).at("duration").get<double>(), 1.001);
  EXPECT_EQ(json.at("summary").at("not_run"), 4);
  EXPECT_EQ(json.at("orchestrator_cpu_ms"), 321);
}

TEST(JsonReportTest, RejectsAMissingFileNamingIt)
{
  const TempDir directory;
  const auto file = directory.path() / "missing.json";
  const std::string message = error_of(file);
  EXPECT_NE(message.find("cannot read JSON report " + file.string()), std::string::npos)
    << message;
}

TEST(JsonReportTest, RejectsInvalidJsonNamingTheFile)
{
  const TempDir directory;
  const auto file = directory.path() / "report.json";
  write_text(file, "{\"run_id\": ");
  const std::string message = error_of(file);
  EXPECT_EQ(message.rfind(file.string() + ": not valid JSON: ", 0), 0u) << message;
}

// Writes the sample report, lets a test edit its JSON (as a person or another tool might) and
// reads it back.
class EditedJsonReportTest : public testing::Test
{
protected:
  void write_edited(const std::function<void(nlohmann::json&)>& edit)
  {
    write_json_report(m_file, sample_report());
    std::ifstream stream(m_file);
    nlohmann::json json = nlohmann::json::parse(stream);
    edit(json);
    write_text(m_file, json.dump());
  }

  std::string error_after(const std::function<void(nlohmann::json&)>& edit)
  {
    write_edited(edit);
    return error_of(m_file);
  }

  TempDir m_directory;
  std::filesystem::path m_file = m_directory.path() / "report.json";
};

TEST_F(EditedJsonReportTest, NamesAMissingKeyWithItsPath)
{
  EXPECT_EQ(error_after([](nlohmann::json& json) { json["tests"][1].erase("outcome"); }),
            m_file.string() + ": tests[1].outcome: missing");
}

TEST_F(EditedJsonReportTest, NamesADurationThatIsNotANumber)
{
  EXPECT_EQ(error_after([](nlohmann::json& json) { json["shards"][0]["ready"] = "fast"; }),
            m_file.string() + ": shards[0].ready: expected a duration in seconds (a non-negative "
                              "number)");
}

TEST_F(EditedJsonReportTest, NamesAnUnknownOutcome)
{
  EXPECT_NE(error_after([](nlohmann::json& json) { json["tests"][0]["outcome"] = "exploded"; })
              .find("tests[0].outcome: expected one of passed"),
            std::string::npos);
}

TEST_F(EditedJsonReportTest, NamesASummaryThatIsNotAnObject)
{
  EXPECT_EQ(error_after([](nlohmann::json& json) { json["summary"] = 3; }),
            m_file.string() + ": summary: expected an object");
}

TEST_F(EditedJsonReportTest, RejectsANegativeMemoryPeak)
{
  EXPECT_EQ(error_after([](nlohmann::json& json) { json["peak_memory_bytes"] = -1; }),
            m_file.string() + ": peak_memory_bytes: expected a non-negative integer");
}

TEST_F(EditedJsonReportTest, TreatsMessageAndShardErrorAsOptional)
{
  write_edited([](nlohmann::json& json) {
    json["tests"][2].erase("message");
    json["shards"][1].erase("error");
  });
  const RunReport read = read_json_report(m_file);
  EXPECT_EQ(read.tests[2].message, "");
  EXPECT_EQ(read.shards[1].error, "");
  EXPECT_EQ(read.tests[2].outcome, Outcome::k_failed);
}

TEST_F(EditedJsonReportTest, ReadsAReportWithoutOrchestratorCpuAsZero)
{
  write_edited([](nlohmann::json& json) { json.erase("orchestrator_cpu_ms"); });
  EXPECT_EQ(read_json_report(m_file).orchestrator_cpu, Milliseconds{0});
}

TEST_F(EditedJsonReportTest, ReadsAShardWithoutTestsEndedAsZero)
{
  // Reports written before the key existed.
  write_edited([](nlohmann::json& json) { json["shards"][0].erase("tests_ended"); });
  EXPECT_EQ(read_json_report(m_file).shards[0].tests_ended, Milliseconds{0});
}

TEST(JsonReportTest, ThrowsInternalErrorWhenTheFileCannotBeWritten)
{
  const TempDir directory;
  const auto file = directory.path() / "taken";
  std::filesystem::create_directories(file);
  EXPECT_THROW(write_json_report(file, sample_report()), InternalError);
}

}  // namespace
}  // namespace orchestrate
