#pragma once

#include "reporting/RunEvents.hpp"
#include "reporting/RunTimeline.hpp"

#include <mutex>
#include <optional>
#include <vector>

namespace orchestrate {

// The run's record as its events arrive: the timeline of every shard (phases, tests, memory), each
// closed shard's timing, and how long the run took to its first `compose up` and its first test.
// The JSON report, JUnit's durations and the run folder's record are written from it at the end.
// Thread-safe.
class RunRecorder : public RunEvents
{
public:
  // `started`: the start of the run, time zero of the timeline and of the first-up/test times.
  explicit RunRecorder(Clock::time_point started);

  void stack_starting(int shard) override;
  void stack_up(int shard, Clock::time_point began) override;
  void stack_ready(int shard, Clock::time_point began) override;
  void batch_started(int shard, int tests, const std::string& first_test) noexcept override;
  void test_started(int shard, const std::string& test_id) noexcept override;
  void test_ended(int shard, const std::string& test_id, bool failed) override;
  void batch_ended(int shard, Clock::time_point began) override;
  void test_finished(const TestResult& result) override;
  void teardown_ended(int shard, Milliseconds duration) noexcept override;
  void shard_closed(const ShardTiming& timing) noexcept override;
  void memory_sampled(const std::map<int, std::uint64_t>& bytes_by_shard) override;

  // The closed shards' timings, in the order they closed.
  std::vector<ShardTiming> shard_timings() const;
  // From the start to the first batch or test started (whichever came first) / the first
  // `compose up`; nullopt when there was none.
  std::optional<Milliseconds> time_to_first_test() const;
  std::optional<Milliseconds> time_to_first_up() const;
  // What the timeline holds so far (see RunTimelineRecorder::timeline).
  Timeline timeline() const;

private:
  // Sets `first` to the time since the start, unless it is set already.
  void note_first(std::optional<Milliseconds>& first);

  Clock::time_point m_started;
  RunTimelineRecorder m_timeline;  // thread-safe itself
  mutable std::mutex m_mutex;      // guards the members below
  std::vector<ShardTiming> m_shard_timings;
  std::optional<Milliseconds> m_time_to_first_test;
  std::optional<Milliseconds> m_time_to_first_up;
};

}  // namespace orchestrate
