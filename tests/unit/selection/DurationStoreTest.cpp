#include "selection/DurationStore.hpp"

#include "core/Error.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

namespace orchestrate {
namespace {

using std::chrono::milliseconds;

TestResult result(const std::string& id, Outcome outcome, int duration_ms)
{
  TestResult test;
  test.id = id;
  test.outcome = outcome;
  test.duration = milliseconds(duration_ms);
  return test;
}

ShardTiming shard_timing(int stack_up_ms, int ready_ms, int teardown_ms)
{
  ShardTiming shard;
  shard.shard = 1;
  shard.stack_up = milliseconds(stack_up_ms);
  shard.ready = milliseconds(ready_ms);
  shard.teardown = milliseconds(teardown_ms);
  shard.tests = milliseconds(99'000);
  return shard;
}

void write_text(const std::filesystem::path& file, const std::string& text)
{
  std::ofstream(file) << text;
}

std::string read_text(const std::filesystem::path& file)
{
  std::ifstream stream(file);
  std::ostringstream content;
  content << stream.rdbuf();
  return content.str();
}

// The warnings logged while it lives, one per line.
class CapturedWarnings
{
public:
  CapturedWarnings()
    : m_previous(spdlog::default_logger()),
      m_sink(std::make_shared<spdlog::sinks::ostream_sink_mt>(m_lines))
  {
    m_sink->set_pattern("%v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", m_sink));
  }
  ~CapturedWarnings()
  {
    spdlog::set_default_logger(m_previous);
  }
  std::vector<std::string> lines() const
  {
    std::vector<std::string> result;
    std::istringstream stream(m_lines.str());
    for (std::string line; std::getline(stream, line);) {
      result.push_back(line);
    }
    return result;
  }

private:
  std::shared_ptr<spdlog::logger> m_previous;
  std::ostringstream m_lines;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> m_sink;
};

// Two suites' tests and one stack entry, with test 'bad' holding a null duration.
constexpr const char* k_file_with_one_bad_entry = R"({"version": 1,
  "tests": {
    "api/t.py::test_ok": {"seconds": 2.0, "last_outcome": "failed", "runs": 3},
    "api/t.py::test_bad": {"seconds": null, "last_outcome": "passed", "runs": 1},
    "web/t.py::test_other": {"seconds": 4.0, "last_outcome": "passed", "runs": 7}
  },
  "stacks": {"api": {"stack_up": 1.0, "ready": 2.0, "teardown": 3.0, "runs": 2},
             "web": {"stack_up": "soon", "ready": 2.0, "teardown": 3.0, "runs": 2}}})";

nlohmann::json read_json(const std::filesystem::path& file)
{
  return nlohmann::json::parse(read_text(file));
}

TEST(DurationStoreTest, BadEntriesAreSkippedOneByOneWithOneWarningNamingThem)
{
  const TempDir directory;
  const auto file = directory.path() / "durations.json";
  write_text(file, k_file_with_one_bad_entry);
  CapturedWarnings warnings;
  const DurationStore store = DurationStore::load(file);

  EXPECT_EQ(store.expected("api/t.py::test_ok"), milliseconds(2000));
  EXPECT_EQ(store.expected("web/t.py::test_other"), milliseconds(4000));
  EXPECT_EQ(store.last_failed({"api/t.py::test_ok"}).size(), 1u);
  EXPECT_FALSE(store.test_history("api/t.py::test_bad"));
  EXPECT_TRUE(store.stack_history("api"));
  EXPECT_FALSE(store.stack_history("web"));
  const auto lines = warnings.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("2 entries"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("test 'api/t.py::test_bad'"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("stack times of 'web'"), std::string::npos) << lines[0];
}

TEST(DurationStoreTest, SavingAfterABadEntryKeepsEveryOtherEntryAndTheBadOneAsItWas)
{
  // Before: one null made the load warn twice and the save write only this run's entries.
  const TempDir directory;
  const auto file = directory.path() / "durations.json";
  write_text(file, k_file_with_one_bad_entry);
  CapturedWarnings warnings;
  DurationStore store = DurationStore::load(file);
  store.record({result("api/t.py::test_new", Outcome::k_passed, 500)});
  store.save(file);

  EXPECT_EQ(warnings.lines().size(), 1u);
  const auto json = read_json(file);
  EXPECT_EQ(json["tests"].size(), 4u);
  EXPECT_TRUE(json["tests"]["api/t.py::test_bad"]["seconds"].is_null());
  EXPECT_EQ(json["tests"]["web/t.py::test_other"]["runs"], 7);
  EXPECT_EQ(json["tests"]["api/t.py::test_ok"]["last_outcome"], "failed");
  EXPECT_EQ(json["tests"]["api/t.py::test_new"]["seconds"], 0.5);
  EXPECT_EQ(json["stacks"]["web"]["stack_up"], "soon");
  EXPECT_EQ(json["stacks"]["api"]["runs"], 2);
}

TEST(DurationStoreTest, RecordingATestWhoseEntryWasBadReplacesTheBadEntry)
{
  const TempDir directory;
  const auto file = directory.path() / "durations.json";
  write_text(file, k_file_with_one_bad_entry);
  DurationStore store = DurationStore::load(file);
  store.record({result("api/t.py::test_bad", Outcome::k_passed, 250)});
  store.save(file);

  const DurationStore reloaded = DurationStore::load(file);
  EXPECT_EQ(reloaded.expected("api/t.py::test_bad"), milliseconds(250));
  EXPECT_EQ(reloaded.expected("web/t.py::test_other"), milliseconds(4000));
}

TEST(DurationStoreTest, AFileThatCannotBeReadAtAllIsKeptAsideBeforeTheSave)
{
  const TempDir directory;
  const auto file = directory.path() / "durations.json";
  const std::string conflicted = "<<<<<<< HEAD\n{\"version\": 1}\n=======\n";
  write_text(file, conflicted);
  DurationStore store = DurationStore::load(file);
  store.record({result("t.py::test_a", Outcome::k_passed, 10)});
  store.save(file);

  std::vector<std::filesystem::path> aside;
  for (const auto& entry : std::filesystem::directory_iterator(directory.path())) {
    if (entry.path().filename().string().starts_with("durations.json.unreadable-")) {
      aside.push_back(entry.path());
    }
  }
  ASSERT_EQ(aside.size(), 1u);
  EXPECT_EQ(read_text(aside[0]), conflicted);
  EXPECT_TRUE(DurationStore::load(file).test_history("t.py::test_a"));
}

TEST(DurationStoreTest, MissingFileGivesAnEmptyStoreExpectingOneSecond)
{
  const TempDir directory;
  const DurationStore store = DurationStore::load(directory.path() / "durations.json");
  EXPECT_EQ(store.expected("t.py::test_a"), milliseconds(1000));
  EXPECT_FALSE(store.test_history("t.py::test_a"));
  EXPECT_TRUE(store.last_failed({"t.py::test_a"}).empty());
}

TEST(DurationStoreTest, RoundTripKeepsDurationsOutcomesRunsAndStackTimes)
{
  const TempDir directory;
  const auto file = directory.path() / ".orchestrate" / "durations.json";
  DurationStore store;
  store.record({result("t.py::test_a", Outcome::k_passed, 1234),
                result("t.py::test_b", Outcome::k_failed, 20),
                result("t.py::test_c", Outcome::k_error, 0)});
  store.record({result("t.py::test_a", Outcome::k_passed, 1234)});
  store.record_stack_time("integration", shard_timing(2001, 999, 401));
  store.save(file);

  const DurationStore loaded = DurationStore::load(file);
  const auto a = loaded.test_history("t.py::test_a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->duration, milliseconds(1234));
  EXPECT_EQ(a->last_outcome, Outcome::k_passed);
  EXPECT_EQ(a->runs, 2);
  EXPECT_EQ(loaded.test_history("t.py::test_b")->last_outcome, Outcome::k_failed);
  EXPECT_EQ(loaded.test_history("t.py::test_b")->duration, milliseconds(20));
  EXPECT_FALSE(loaded.test_history("t.py::test_c")->duration);
  const auto stack = loaded.stack_history("integration");
  ASSERT_TRUE(stack);
  EXPECT_EQ(stack->stack_up, milliseconds(2001));
  EXPECT_EQ(stack->ready, milliseconds(999));
  EXPECT_EQ(stack->teardown, milliseconds(401));
  EXPECT_EQ(stack->runs, 1);
}

TEST(DurationStoreTest, FileHoldsTestTimeApartFromStackTimeInSeconds)
{
  const TempDir directory;
  const auto file = directory.path() / "durations.json";
  DurationStore store;
  store.record({result("t.py::test_a", Outcome::k_failed, 1500)});
  store.record_stack_time("integration", shard_timing(2000, 500, 250));
  store.save(file);

  const auto json = nlohmann::json::parse(read_text(file));
  EXPECT_EQ(json["version"], 1);
  EXPECT_EQ(json["tests"]["t.py::test_a"]["seconds"], 1.5);
  EXPECT_EQ(json["tests"]["t.py::test_a"]["last_outcome"], "failed");
  EXPECT_EQ(json["tests"]["t.py::test_a"]["runs"], 1);
  EXPECT_EQ(json["stacks"]["integration"]["stack_up"], 2.0);
  EXPECT_EQ(json["stacks"]["integration"]["ready"], 0.5);
  EXPECT_EQ(json["stacks"]["integration"]["teardown"], 0.25);
}

TEST(DurationStoreTest, RecordingAveragesTheNewDurationWithThePreviousValue)
{
  DurationStore store;
  store.record({result("t.py::test_a", Outcome::k_passed, 1000)});
  EXPECT_EQ(store.expected("t.py::test_a"), milliseconds(1000));
  store.record({result("t.py::test_a", Outcome::k_passed, 3000)});
  EXPECT_EQ(store.expected("t.py::test_a"), milliseconds(2000));
  store.record({result("t.py::test_a", Outcome::k_failed, 3000)});
  EXPECT_EQ(store.expected("t.py::test_a"), milliseconds(2500));
  EXPECT_EQ(store.test_history("t.py::test_a")->runs, 3);
}

TEST(DurationStoreTest, UnknownTestExpectsTheAverageOfRecordedTests)
{
  DurationStore store;
  store.record({result("t.py::test_a", Outcome::k_passed, 1000),
                result("t.py::test_b", Outcome::k_passed, 4000)});
  EXPECT_EQ(store.expected("t.py::test_new"), milliseconds(2500));
}

TEST(DurationStoreTest, TestCasesEstimateUnknownTestsFromTheGivenTestsFirst)
{
  DurationStore store;
  store.record({result("unit.py::test_fast", Outcome::k_passed, 10),
                result("it.py::test_slow", Outcome::k_passed, 8000),
                result("it.py::test_slower", Outcome::k_passed, 12'000)});
  const auto cases =
    store.test_cases({"it.py::test_slow", "it.py::test_new", "it.py::test_slower"});
  ASSERT_EQ(cases.size(), 3u);
  EXPECT_EQ(cases[0].id, "it.py::test_slow");
  EXPECT_EQ(cases[0].expected, milliseconds(8000));
  EXPECT_EQ(cases[1].id, "it.py::test_new");
  EXPECT_EQ(cases[1].expected, milliseconds(10'000));

  // None of the given tests is known: the average of everything recorded.
  EXPECT_EQ(store.test_cases({"x.py::test_new"})[0].expected, milliseconds(6670));
  EXPECT_EQ(DurationStore().test_cases({"x.py::test_new"})[0].expected, milliseconds(1000));
}

TEST(DurationStoreTest, ErrorWithoutDurationKeepsThePreviousDuration)
{
  DurationStore store;
  store.record({result("t.py::test_a", Outcome::k_passed, 3000),
                result("t.py::test_b", Outcome::k_passed, 1000)});
  store.record({result("t.py::test_a", Outcome::k_error, 0),
                result("t.py::test_new", Outcome::k_error, 0)});
  EXPECT_EQ(store.expected("t.py::test_a"), milliseconds(3000));
  EXPECT_EQ(store.test_history("t.py::test_a")->last_outcome, Outcome::k_error);
  // A test never timed counts in no average and expects the average.
  EXPECT_EQ(store.expected("t.py::test_new"), milliseconds(2000));
}

TEST(DurationStoreTest, SkippedTestRecordsItsShortDuration)
{
  DurationStore store;
  store.record({result("t.py::test_a", Outcome::k_skipped, 0)});
  EXPECT_EQ(store.expected("t.py::test_a"), milliseconds(0));
}

TEST(DurationStoreTest, LastFailedListsFailedAndErroredTestsInTheGivenOrder)
{
  DurationStore store;
  TestResult flaky = result("t.py::test_flaky", Outcome::k_passed, 10);
  flaky.flaky = true;
  flaky.attempts = 2;
  store.record({result("t.py::test_a", Outcome::k_failed, 10),
                result("t.py::test_b", Outcome::k_passed, 10),
                result("t.py::test_c", Outcome::k_error, 10),
                result("t.py::test_d", Outcome::k_skipped, 10), flaky});
  EXPECT_EQ(store.last_failed({"t.py::test_c", "t.py::test_b", "t.py::test_flaky",
                               "t.py::test_gone", "t.py::test_a", "t.py::test_d"}),
            (std::vector<std::string>{"t.py::test_c", "t.py::test_a"}));

  store.record({result("t.py::test_a", Outcome::k_passed, 10)});
  EXPECT_EQ(store.last_failed({"t.py::test_a", "t.py::test_c"}),
            (std::vector<std::string>{"t.py::test_c"}));
}

TEST(DurationStoreTest, CorruptFileGivesAnEmptyStoreWithoutThrowing)
{
  const TempDir directory;
  const auto file = directory.path() / "durations.json";
  for (const std::string& text : {
         std::string("{\"version\": 1, \"tests\": {\"t.py::test_a\": {\"seconds\": 1.0,"),
         std::string("not json at all"),
         std::string("[]"),
         std::string(R"({"version": 2, "tests": {}, "stacks": {}})"),
         std::string(R"({"version": 1, "tests": {"a": {"seconds": -1, "last_outcome": "passed",
                          "runs": 1}}, "stacks": {}})"),
         std::string(R"({"version": 1, "tests": {"a": {"seconds": 1, "last_outcome": "odd",
                          "runs": 1}}, "stacks": {}})"),
         std::string(R"({"version": 1, "tests": {"a": {"seconds": "1", "last_outcome": "passed",
                          "runs": 1}}, "stacks": {}})"),
         std::string(R"({"version": 1, "tests": {}, "stacks": {"s": {"ready": 1}}})"),
       }) {
    write_text(file, text);
    DurationStore store;
    ASSERT_NO_THROW(store = DurationStore::load(file)) << text;
    EXPECT_FALSE(store.test_history("a")) << text;
    EXPECT_FALSE(store.test_history("t.py::test_a")) << text;
    EXPECT_FALSE(store.stack_history("s")) << text;
    EXPECT_EQ(store.expected("a"), milliseconds(1000)) << text;
  }
}

TEST(DurationStoreTest, SaveReplacesTheFileAndLeavesNoTemporaryFileBehind)
{
  const TempDir directory;
  const auto file = directory.path() / "durations.json";
  write_text(file, R"({"version": 1, "tests": {}, "stacks": {}})");
  DurationStore store;
  store.record({result("t.py::test_a", Outcome::k_passed, 10)});
  store.save(file);

  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory.path())) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"durations.json", "durations.json.lock"}));
  EXPECT_TRUE(DurationStore::load(file).test_history("t.py::test_a"));
}

TEST(DurationStoreTest, FailedSaveLeavesTheOldFileAndNoTemporaryFile)
{
  const TempDir directory;
  // A folder where the file should be: the final rename fails.
  const auto file = directory.path() / "durations.json";
  std::filesystem::create_directories(file / "occupied");
  DurationStore store;
  store.record({result("t.py::test_a", Outcome::k_passed, 10)});
  try {
    store.save(file);
    FAIL() << "save into a folder's place succeeded";
  } catch (const InternalError& error) {
    EXPECT_NE(std::string(error.what()).find(file.string()), std::string::npos);
  }
  EXPECT_TRUE(std::filesystem::is_directory(file / "occupied"));
  for (const auto& entry : std::filesystem::directory_iterator(directory.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos)
      << entry.path();
  }
}

TEST(DurationStoreTest, SaveKeepsWhatAnotherRunSavedMeanwhile)
{
  const TempDir directory;
  const auto file = directory.path() / "durations.json";
  DurationStore earlier;
  earlier.record({result("t.py::test_a", Outcome::k_passed, 100),
                  result("t.py::test_b", Outcome::k_passed, 100)});
  earlier.save(file);

  // Two runs load the same file, record different tests, and save one after the other.
  DurationStore test_run = DurationStore::load(file);
  DurationStore dev_run = DurationStore::load(file);
  test_run.record({result("t.py::test_a", Outcome::k_failed, 300)});
  dev_run.record({result("t.py::test_b", Outcome::k_failed, 500)});
  dev_run.record_stack_time("unit", shard_timing(1, 2, 3));
  dev_run.save(file);
  test_run.save(file);

  const DurationStore merged = DurationStore::load(file);
  EXPECT_EQ(merged.expected("t.py::test_a"), milliseconds(200));
  EXPECT_EQ(merged.expected("t.py::test_b"), milliseconds(300));
  EXPECT_EQ(merged.last_failed({"t.py::test_a", "t.py::test_b"}).size(), 2u);
  EXPECT_TRUE(merged.stack_history("unit"));
}

TEST(DurationStoreTest, StackTimeAveragesAndLeavesFailedShardsOut)
{
  DurationStore store;
  store.record_stack_time("integration", shard_timing(2000, 1000, 400));
  ShardTiming failed = shard_timing(60'000, 60'000, 60'000);
  failed.error = "postgres: not ready after 60.00s";
  store.record_stack_time("integration", failed);
  store.record_stack_time("integration", shard_timing(4000, 3000, 600));

  const auto stack = store.stack_history("integration");
  ASSERT_TRUE(stack);
  EXPECT_EQ(stack->stack_up, milliseconds(3000));
  EXPECT_EQ(stack->ready, milliseconds(2000));
  EXPECT_EQ(stack->teardown, milliseconds(500));
  EXPECT_EQ(stack->runs, 2);
  // Stack time never leaks into the tests' expectations.
  EXPECT_EQ(store.expected("t.py::test_a"), milliseconds(1000));
  EXPECT_FALSE(store.stack_history("unit"));
}

}  // namespace
}  // namespace orchestrate
