#pragma once

#include "reporting/RunEvents.hpp"

#include <initializer_list>
#include <vector>

namespace orchestrate {

// Hands every event to each of its sinks, in the order given (a run's: the recorder, then the
// progress reporter). The sinks are not owned and must outlive the fan-out.
class RunEventsFanOut : public RunEvents
{
public:
  RunEventsFanOut(std::initializer_list<RunEvents*> sinks);

  void shard_opening(int shard) noexcept override;
  void stack_placed(int shard, const std::string& engine) noexcept override;
  void stack_starting(int shard) override;
  void stack_up(int shard, Clock::time_point began) override;
  void stack_ready(int shard, Clock::time_point began) override;
  void batch_started(int shard, int tests, const std::string& first_test) noexcept override;
  void test_started(int shard, const std::string& test_id) noexcept override;
  void test_ended(int shard, const std::string& test_id, bool failed) override;
  void batch_ended(int shard, Clock::time_point began) override;
  void test_finished(const TestResult& result) override;
  void shard_failed(int shard, const std::string& message) override;
  void shard_tearing_down(int shard) noexcept override;
  void teardown_ended(int shard, Milliseconds duration) noexcept override;
  void shard_closed(const ShardTiming& timing) noexcept override;
  void memory_sampled(const std::map<int, std::uint64_t>& bytes_by_shard) override;
  void message(const std::string& text) override;
  void warning(const std::string& text) override;

private:
  std::vector<RunEvents*> m_sinks;
};

}  // namespace orchestrate
