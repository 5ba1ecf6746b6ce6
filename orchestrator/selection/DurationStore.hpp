#pragma once

#include "core/Quantities.hpp"
#include "reporting/JsonReport.hpp"
#include "reporting/TestResult.hpp"
#include "scheduling/TestCase.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace orchestrate {

// What is known of one test from earlier runs.
struct TestHistory
{
  std::optional<Milliseconds> duration;  // moving value (see DurationStore); none if never timed
  Outcome last_outcome = Outcome::k_passed;
  int runs = 0;                          // how many runs recorded it
};

// What is known of one suite's stacks: time spent outside the tests, per shard, kept apart from
// test time so that a slow `compose up` does not inflate the tests' expected durations.
struct StackHistory
{
  Milliseconds stack_up{0};
  Milliseconds ready{0};
  Milliseconds teardown{0};
  int runs = 0;  // how many shards recorded it
  int tests = 0; // how many tests its last run selected (0: unknown): how many shards to open early
};

// Recorded test durations and last outcomes (`.orchestrate/durations.json` by default, under the
// project's state_dir; the caller gives the path), used to plan balanced shards, to estimate
// unknown tests, and for `--lf`.
//
// Durations are an exponential moving average: new = (sample + old) / 2, the first sample as is.
// One noisy run moves the value half way, a real change is 75% adopted after two runs: durations
// follow drift (pytest-split's last-value files go stale or jump) without trusting a single run.
// Test ids are keyed as runners give them (pytest node ids are unique across suites).
//
// Not thread-safe: one store per run, recorded by the run's main thread.
class DurationStore
{
public:
  // The expected duration of a test no run has recorded and no average exists for.
  static constexpr Milliseconds k_default_expected{1000};

  // An empty store.
  DurationStore() = default;

  // Reads `file`. A missing file gives an empty store. Entries that cannot be read (a wrong type,
  // a negative duration, an unknown outcome) are skipped one by one, with one warning naming
  // them all; every other entry, of every suite, is kept. A file that cannot be read at all (not
  // JSON, wrong shape, another format version) logs a warning and gives an empty store: durations
  // only tune the plan, so they never fail a run. Never throws for the file's content.
  static DurationStore load(const std::filesystem::path& file);

  // Writes the store to `file` atomically (a temporary file in the same folder, then rename), so
  // a reader never sees half a file and a crash leaves the old one. Runs of other environments
  // may have saved since this store was loaded: the file is re-read (under an flock on
  // `<file>.lock`) and only what this store recorded replaces its entries, so two runs finishing
  // together both keep their updates. The file never shrinks because of a parse problem: entries
  // that cannot be read are written back unchanged (unless this store recorded the same test),
  // and a file that cannot be read at all is first renamed to `<file>.unreadable-<unix time>`.
  // Creates the folder. Throws InternalError naming the file when it cannot be written (or the
  // unreadable one cannot be kept aside); the caller should log it and go on.
  void save(const std::filesystem::path& file) const;

  // The recorded duration of `test_id`; else the average of all recorded tests; else
  // k_default_expected.
  Milliseconds expected(const std::string& test_id) const;

  // The tests with their expected durations, in the given order, ready for plan_balanced_shards
  // and select_ci_shard. A test without a record gets the average of the recorded tests among
  // `test_ids` (the same suite is the best guess), else of all recorded tests, else
  // k_default_expected.
  std::vector<TestCase> test_cases(const std::vector<std::string>& test_ids) const;

  // Folds the results of a run into the store: duration and outcome of each test, runs + 1. An
  // error result with no duration (the runner crashed or the batch was killed before the test
  // reported) updates the outcome only: it has no real duration.
  void record(const std::vector<TestResult>& results);

  // Folds one shard's stack phases into the suite's stack history. A shard whose stack failed
  // (`shard.error` not empty) is left out: its phases were cut short.
  void record_stack_time(const std::string& suite, const ShardTiming& shard);

  // Notes how many tests a run of `suite` selected.
  void record_suite_size(const std::string& suite, int tests);

  // The test ids among `test_ids` (in their order) whose last recorded outcome was failed or
  // error: `--lf`. Empty when none failed last time; pytest then runs everything
  // (--last-failed-no-failures=all), which the caller decides.
  std::vector<std::string> last_failed(const std::vector<std::string>& test_ids) const;

  // The record of a test or suite, if any.
  std::optional<TestHistory> test_history(const std::string& test_id) const;
  std::optional<StackHistory> stack_history(const std::string& suite) const;

private:
  // load() without the warnings: what could not be read is left in the members below.
  static DurationStore read(const std::filesystem::path& file);
  std::optional<Milliseconds> average_of(const std::vector<std::string>& test_ids) const;
  std::optional<Milliseconds> average() const;
  // Every change of m_tests goes through here, to keep the totals right.
  void set_test(const std::string& id, const TestHistory& history);

  std::map<std::string, TestHistory> m_tests;
  std::map<std::string, StackHistory> m_stacks;
  // What this store recorded since load(): the entries save() writes over the file's.
  std::set<std::string> m_recorded_tests;
  std::set<std::string> m_recorded_stacks;
  // What read() could not use: the whole file (why), or single entries (kept raw for save()).
  std::string m_unreadable_reason;
  std::vector<std::string> m_skipped;
  std::map<std::string, nlohmann::json> m_unparsed_tests;
  std::map<std::string, nlohmann::json> m_unparsed_stacks;
  // The sum and number of all recorded test durations, for the average.
  Milliseconds m_timed_total{0};
  std::int64_t m_timed_count = 0;
};

}  // namespace orchestrate
