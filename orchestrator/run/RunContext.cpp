#include "run/RunContext.hpp"

namespace orchestrate {

void RunContext::record_shard(const ShardTiming& timing)
{
  std::lock_guard lock(m_mutex);
  m_shard_timings.push_back(timing);
}

void RunContext::note_first_test()
{
  std::lock_guard lock(m_mutex);
  if (!m_time_to_first_test) {
    m_time_to_first_test = std::chrono::duration_cast<Milliseconds>(
      std::chrono::steady_clock::now() - started);
  }
}

std::vector<ShardTiming> RunContext::shard_timings() const
{
  std::lock_guard lock(m_mutex);
  return m_shard_timings;
}

std::optional<Milliseconds> RunContext::time_to_first_test() const
{
  std::lock_guard lock(m_mutex);
  return m_time_to_first_test;
}

}  // namespace orchestrate
