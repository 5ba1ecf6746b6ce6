#pragma once

#include "reporting/TestResult.hpp"

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace orchestrate {

// `--repeat`: run each test several times in one run, to hunt flaky tests (ctest --repeat,
// Bazel --runs_per_test). A test's runs stay in the shard that took it, one after the other;
// the tests are spread over the shards as usual.
struct RepeatPlan
{
  enum class Mode {
    k_count,       // `N`: every test N times; it fails if any run failed
    k_until_fail,  // `until-fail:N`: up to N times, stopping at its first failure; fails if one did
    k_until_pass,  // `until-pass:N`: up to N times, stopping at its first pass; passes if one did
  };
  Mode mode = Mode::k_count;
  int runs = 1;  // at most this many runs per test

  // Whether a test whose runs so far ended as `outcomes` runs again.
  bool wants_another_run(const std::vector<Outcome>& outcomes) const;

  // The single result a test's runs (in order, at least one) report: the first failed run's
  // result for `N` and until-fail (else the last), the first passing one for until-pass (flaky
  // when runs failed before it, else the last). `attempts` is the number of runs.
  TestResult combine(const std::vector<TestResult>& runs) const;
};

// Parses `N`, `until-fail:N` or `until-pass:N` (N >= 1). Throws UsageError saying what was
// expected.
RepeatPlan parse_repeat_plan(const std::string& text);

// True for an outcome that counts as a failed run (failed or error).
bool is_failed_run(Outcome outcome);

// How often each test passed and failed over its runs. Thread-safe: shards record into it.
class RepeatTally
{
public:
  struct Counts
  {
    int passed = 0;
    int failed = 0;
    int other = 0;  // skipped, xfailed, xpassed
  };

  void record(const TestResult& result);
  std::map<std::string, Counts> counts() const;

private:
  mutable std::mutex m_mutex;
  std::map<std::string, Counts> m_counts;
};

// The summary a repeated run ends with: a heading, then per test `passed P, failed F of R runs`,
// tests with failures first (most failures first), then the count of tests that always passed.
// Under `verbose` every test is listed.
std::string format_repeat_summary(const RepeatPlan& plan,
                                  const std::map<std::string, RepeatTally::Counts>& counts,
                                  bool verbose);

}  // namespace orchestrate
