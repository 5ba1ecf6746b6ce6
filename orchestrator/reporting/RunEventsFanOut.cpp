#include "reporting/RunEventsFanOut.hpp"

namespace orchestrate {

RunEventsFanOut::RunEventsFanOut(std::initializer_list<RunEvents*> sinks) : m_sinks(sinks)
{
}

void RunEventsFanOut::shard_opening(int shard) noexcept
{
  for (auto* sink : m_sinks) {
    sink->shard_opening(shard);
  }
}

void RunEventsFanOut::stack_placed(int shard, const std::string& engine) noexcept
{
  for (auto* sink : m_sinks) {
    sink->stack_placed(shard, engine);
  }
}

void RunEventsFanOut::stack_starting(int shard)
{
  for (auto* sink : m_sinks) {
    sink->stack_starting(shard);
  }
}

void RunEventsFanOut::stack_up(int shard, Clock::time_point began)
{
  for (auto* sink : m_sinks) {
    sink->stack_up(shard, began);
  }
}

void RunEventsFanOut::stack_ready(int shard, Clock::time_point began)
{
  for (auto* sink : m_sinks) {
    sink->stack_ready(shard, began);
  }
}

void RunEventsFanOut::batch_started(int shard, int tests, const std::string& first_test) noexcept
{
  for (auto* sink : m_sinks) {
    sink->batch_started(shard, tests, first_test);
  }
}

void RunEventsFanOut::test_started(int shard, const std::string& test_id) noexcept
{
  for (auto* sink : m_sinks) {
    sink->test_started(shard, test_id);
  }
}

void RunEventsFanOut::test_ended(int shard, const std::string& test_id, bool failed)
{
  for (auto* sink : m_sinks) {
    sink->test_ended(shard, test_id, failed);
  }
}

void RunEventsFanOut::batch_ended(int shard, Clock::time_point began)
{
  for (auto* sink : m_sinks) {
    sink->batch_ended(shard, began);
  }
}

void RunEventsFanOut::test_finished(const TestResult& result)
{
  for (auto* sink : m_sinks) {
    sink->test_finished(result);
  }
}

void RunEventsFanOut::shard_failed(int shard, const std::string& message)
{
  for (auto* sink : m_sinks) {
    sink->shard_failed(shard, message);
  }
}

void RunEventsFanOut::shard_tearing_down(int shard) noexcept
{
  for (auto* sink : m_sinks) {
    sink->shard_tearing_down(shard);
  }
}

void RunEventsFanOut::teardown_ended(int shard, Milliseconds duration) noexcept
{
  for (auto* sink : m_sinks) {
    sink->teardown_ended(shard, duration);
  }
}

void RunEventsFanOut::shard_closed(const ShardTiming& timing) noexcept
{
  for (auto* sink : m_sinks) {
    sink->shard_closed(timing);
  }
}

void RunEventsFanOut::memory_sampled(const std::map<int, std::uint64_t>& bytes_by_shard)
{
  for (auto* sink : m_sinks) {
    sink->memory_sampled(bytes_by_shard);
  }
}

void RunEventsFanOut::message(const std::string& text)
{
  for (auto* sink : m_sinks) {
    sink->message(text);
  }
}

void RunEventsFanOut::warning(const std::string& text)
{
  for (auto* sink : m_sinks) {
    sink->warning(text);
  }
}

}  // namespace orchestrate
