#pragma once

#include "reporting/TestResult.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace orchestrate {

// Follows the console output of a GoogleTest binary while it grows: the default printer's
// "[ RUN      ] A.b" and "[       OK ] A.b (3 ms)" / "[  FAILED  ] A.b" / "[  SKIPPED ] A.b" lines
// (colour codes allowed). gtest writes its XML report only when it ends normally, so when the
// binary dies or is killed this says which test was running, and how the tests before it ended.
class GtestProgress
{
public:
  using Clock = std::chrono::steady_clock;

  explicit GtestProgress(Clock::time_point started);

  // Reads more output seen at `now`. A last line without its newline waits for the next call.
  void feed(std::string_view text, Clock::time_point now);

  // The test whose RUN line came without its end line yet; nullptr when none runs.
  const std::string* running() const;
  // When the running test started (its RUN line was read); meaningful while one runs.
  Clock::time_point running_since() const;
  // The running test's output since its RUN line (its last 64-128 KiB when it printed more).
  const std::string& running_output() const;
  // The last RUN or end line, or the start: how long the binary has been outside any test.
  Clock::time_point last_change() const;

  // The tests that ended, in order: id `Suite.Test`, classname and name, outcome, duration (the
  // printed one, else as measured here), and for a failure its output as details with the first
  // line as message.
  const std::vector<TestResult>& finished() const;

private:
  void read_line(const std::string& line, Clock::time_point now);

  std::string m_partial;
  std::string m_running;
  Clock::time_point m_running_since;
  std::string m_running_output;
  Clock::time_point m_last_change;
  std::vector<TestResult> m_finished;
};

// A test's TestResult identity from its gtest id: classname `Suite` and name `Test` of
// `Suite.Test` (suite names hold no '.', test names may hold '/').
TestResult gtest_result_named(const std::string& id);

}  // namespace orchestrate
