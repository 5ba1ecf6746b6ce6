#include "reporting/DurationsReport.hpp"

#include "reporting/Summary.hpp"

#include <algorithm>
#include <cstdio>

namespace orchestrate {

namespace {

// "12.34s", right-aligned in `width` characters.
std::string seconds_column(Milliseconds duration, int width)
{
  char text[32];
  std::snprintf(text, sizeof(text), "%*.2fs", width - 1, static_cast<double>(duration.count()) / 1000.0);
  return text;
}

std::string shard_table(std::vector<ShardTiming> shards)
{
  std::sort(shards.begin(), shards.end(),
            [](const ShardTiming& a, const ShardTiming& b) { return a.shard < b.shard; });
  std::string text = "shard   stack up     ready     tests  teardown  tests run\n";
  for (const auto& shard : shards) {
    char number[16];
    std::snprintf(number, sizeof(number), "%5d", shard.shard);
    char run[16];
    std::snprintf(run, sizeof(run), "%11d", shard.tests_run);
    text += std::string(number) + seconds_column(shard.stack_up, 11) +
            seconds_column(shard.ready, 10) + seconds_column(shard.tests, 10) +
            seconds_column(shard.teardown, 10) + run;
    if (!shard.error.empty()) {
      text += "  (failed: " + shard.error.substr(0, shard.error.find('\n')) + ")";
    }
    text += "\n";
  }
  return text;
}

}  // namespace

std::string format_durations_report(const std::vector<TestResult>& results,
                                    const std::vector<ShardTiming>& shards, int count, int width)
{
  std::vector<const TestResult*> timed;
  for (const auto& result : results) {
    if (result.duration.count() > 0) {
      timed.push_back(&result);
    }
  }
  std::stable_sort(timed.begin(), timed.end(), [](const TestResult* a, const TestResult* b) {
    return a->duration > b->duration;
  });
  if (count > 0 && static_cast<int>(timed.size()) > count) {
    timed.resize(static_cast<std::size_t>(count));
  }
  if (timed.empty() && shards.empty()) {
    return {};
  }
  std::string text = format_separator_line(
    count > 0 ? "slowest " + std::to_string(count) + " durations" : "slowest durations", width) +
    "\n";
  for (const auto* result : timed) {
    text += seconds_column(result->duration, 6) + " " + result->id + "\n";
  }
  if (!shards.empty()) {
    text += "\n" + shard_table(shards);
  }
  return text;
}

}  // namespace orchestrate
