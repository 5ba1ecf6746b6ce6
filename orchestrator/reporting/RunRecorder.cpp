#include "reporting/RunRecorder.hpp"

namespace orchestrate {

RunRecorder::RunRecorder(Clock::time_point started) : m_started(started), m_timeline(started)
{
}

void RunRecorder::note_first(std::optional<Milliseconds>& first)
{
  std::lock_guard lock(m_mutex);
  if (!first) {
    first = std::chrono::duration_cast<Milliseconds>(Clock::now() - m_started);
  }
}

void RunRecorder::stack_starting(int /*shard*/)
{
  note_first(m_time_to_first_up);
}

void RunRecorder::stack_up(int shard, Clock::time_point began)
{
  m_timeline.phase_ended(shard, SpanKind::k_stack_up, began);
}

void RunRecorder::stack_ready(int shard, Clock::time_point began)
{
  m_timeline.phase_ended(shard, SpanKind::k_ready, began);
}

void RunRecorder::batch_started(int /*shard*/, int /*tests*/,
                                const std::string& /*first_test*/) noexcept
{
  note_first(m_time_to_first_test);
}

void RunRecorder::test_started(int shard, const std::string& test_id) noexcept
{
  // A streaming runner (the pytest worker) has no batches: its first test is the first.
  note_first(m_time_to_first_test);
  m_timeline.test_started(shard, test_id);
}

void RunRecorder::test_ended(int shard, const std::string& test_id, bool failed)
{
  m_timeline.test_finished(shard, test_id, failed);
}

void RunRecorder::batch_ended(int shard, Clock::time_point began)
{
  m_timeline.phase_ended(shard, SpanKind::k_batch, began);
}

void RunRecorder::test_finished(const TestResult& result)
{
  m_timeline.result(result);
}

void RunRecorder::teardown_ended(int shard, Milliseconds duration) noexcept
{
  m_timeline.phase_ended_after(shard, SpanKind::k_teardown, duration);
}

void RunRecorder::shard_closed(const ShardTiming& timing) noexcept
{
  std::lock_guard lock(m_mutex);
  m_shard_timings.push_back(timing);
}

void RunRecorder::memory_sampled(const std::map<int, std::uint64_t>& bytes_by_shard)
{
  m_timeline.memory_sampled(bytes_by_shard);
}

std::vector<ShardTiming> RunRecorder::shard_timings() const
{
  std::lock_guard lock(m_mutex);
  return m_shard_timings;
}

std::optional<Milliseconds> RunRecorder::time_to_first_test() const
{
  std::lock_guard lock(m_mutex);
  return m_time_to_first_test;
}

std::optional<Milliseconds> RunRecorder::time_to_first_up() const
{
  std::lock_guard lock(m_mutex);
  return m_time_to_first_up;
}

Timeline RunRecorder::timeline() const
{
  return m_timeline.timeline();
}

}  // namespace orchestrate
