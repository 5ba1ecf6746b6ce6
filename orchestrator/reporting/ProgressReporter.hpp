#pragma once

#include "reporting/TestResult.hpp"

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace orchestrate {

enum class Verbosity { k_quiet, k_normal, k_verbose };

// What users read while a run goes on and at its end, separate from logging (spdlog). Writes
// pytest-like lines: one per test with the overall percentage, `[ 42%]`, then failure sections and
// the summary line. Thread-safe: shard threads report through it.
class ProgressReporter
{
public:
  ProgressReporter(std::FILE* out, Verbosity verbosity, bool color);

  // Headline before tests start: platform-like info pytest users expect.
  void start(const std::string& suite, int collected, int deselected, int shards,
             const std::string& run_dir);
  void shard_ready(int shard, const std::string& project);
  void shard_failed(int shard, const std::string& message);
  void test_finished(const TestResult& result);
  void message(const std::string& text);

  // Failure sections (`____ test_id ____` + details) for failed and errored tests.
  void failures(const std::vector<TestResult>& results);

  // The closing line, e.g. `==== 1 failed, 39 passed in 12.31s ====`.
  void summary(const SummaryCounts& counts, Milliseconds elapsed);

private:
  std::string colored(const std::string& text, const char* color_code) const;

  std::mutex m_mutex;
  std::FILE* m_out;
  Verbosity m_verbosity;
  bool m_color;
  int m_total = 0;
  int m_done = 0;
};

// True when color should be used on `out`: a terminal and NO_COLOR unset.
bool use_color(std::FILE* out);

}  // namespace orchestrate
