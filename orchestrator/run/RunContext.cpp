#include "run/RunContext.hpp"

namespace orchestrate {

void RunContext::record_shard(const ShardTiming& timing)
{
  std::lock_guard lock(m_mutex);
  m_shard_timings.push_back(timing);
}

namespace {

// Sets `first` to the time since `started`, unless it is set already.
void note_first(std::optional<Milliseconds>& first, std::chrono::steady_clock::time_point started)
{
  if (!first) {
    first = std::chrono::duration_cast<Milliseconds>(std::chrono::steady_clock::now() - started);
  }
}

}  // namespace

void RunContext::note_first_test()
{
  std::lock_guard lock(m_mutex);
  note_first(m_time_to_first_test, started);
}

void RunContext::note_first_up()
{
  std::lock_guard lock(m_mutex);
  note_first(m_time_to_first_up, started);
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

std::optional<Milliseconds> RunContext::time_to_first_up() const
{
  std::lock_guard lock(m_mutex);
  return m_time_to_first_up;
}

}  // namespace orchestrate
