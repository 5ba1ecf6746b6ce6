#pragma once

#include "core/Quantities.hpp"
#include "reporting/TestResult.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace orchestrate {

// What a span of a shard's track shows. Phases are the shard's life (stack, readiness, batches of
// tests, teardown); k_test is one test run (one attempt).
enum class SpanKind { k_stack_up, k_ready, k_batch, k_test, k_teardown };

// "stack up", "ready", "batch", "test", "teardown": the names the trace and the HTML show.
std::string_view span_kind_name(SpanKind kind);

// One span of one shard's track. Times are offsets from the start of the run.
struct TimelineSpan
{
  int shard = 0;  // 1-based
  SpanKind kind = SpanKind::k_test;
  std::string name;     // the test id for k_test, else the kind's name
  Milliseconds start{0};
  Milliseconds duration{0};
  std::string outcome;  // k_test only: pytest's name ("passed", "failed", ...)
  int attempt = 1;      // k_test only: which run of this test (> 1 for a rerun)
};

// The memory use of each shard's containers at one moment, from the resource monitor.
struct MemorySample
{
  Milliseconds at{0};
  std::map<int, std::uint64_t> bytes_by_shard;
};

// Where a run's time went: what RunTimelineRecorder saw, as plain data (written to the run folder
// as timeline.json, read back by `orchestrate report`).
struct Timeline
{
  std::vector<TimelineSpan> spans;           // in the order they ended
  std::vector<MemorySample> memory;          // in time order
  std::map<std::string, std::string> output;  // test id -> failure text / captured output
};

// Records a run's timeline as it happens: called from the shard threads and the resource
// monitor's thread (every method is thread-safe and never throws for bad input: a test that ends
// without having started is placed before its end by its duration). Times are taken from the
// steady clock relative to `started`. Shaped as a run-event sink, so that it can become one
// implementation of a common run-events interface.
class RunTimelineRecorder
{
public:
  using Clock = std::chrono::steady_clock;

  explicit RunTimelineRecorder(Clock::time_point started = Clock::now());

  // Moves time zero to `started` (the run's start, known to whoever owns the recorder). Call it
  // before anything is recorded.
  void set_origin(Clock::time_point started);

  // A phase of `shard` that began at `began` and ends now.
  void phase_ended(int shard, SpanKind kind, Clock::time_point began);
  // A phase of `shard` that took `duration` and ends now (for steps that measure themselves).
  void phase_ended_after(int shard, SpanKind kind, Milliseconds duration);
  // A test starts / ends on `shard` (the runner's live progress).
  void test_started(int shard, const std::string& test_id);
  void test_finished(int shard, const std::string& test_id, bool failed);
  // A final result arrived (after its batch): fixes the outcome of the test's last span, keeps
  // its output when it did not pass, and adds a span for a result whose start and end were never
  // seen (a runner without live progress).
  void result(const TestResult& result);
  // One resource-monitor sample.
  void memory_sampled(const std::map<int, std::uint64_t>& bytes_by_shard);

  // What was recorded so far. Spans of tests still running are left out.
  Timeline timeline() const;

private:
  Milliseconds now() const;

  Clock::time_point m_started;
  mutable std::mutex m_mutex;
  Timeline m_timeline;
  // (shard, test id) -> start of its running attempt
  std::map<std::pair<int, std::string>, Milliseconds> m_running;
  // (shard, test id) -> index in m_timeline.spans of its last finished attempt
  std::map<std::pair<int, std::string>, std::size_t> m_last_span;
};

}  // namespace orchestrate
