#include "scheduling/WorkQueue.hpp"

#include <algorithm>
#include <utility>

namespace orchestrate {

WorkQueue WorkQueue::make_static(std::vector<TestBatch> per_shard)
{
  WorkQueue queue;
  queue.m_shard_count = static_cast<int>(per_shard.size());
  queue.m_per_shard = std::move(per_shard);
  return queue;
}

WorkQueue WorkQueue::make_dynamic(std::vector<TestCase> tests, int shard_count)
{
  WorkQueue queue;
  queue.m_dynamic = true;
  queue.m_shard_count = std::max(shard_count, 1);
  std::stable_sort(tests.begin(), tests.end(),
                   [](const TestCase& a, const TestCase& b) { return a.expected > b.expected; });
  for (const auto& test : tests) {
    queue.m_expected_left += test.expected;
  }
  queue.m_shared = std::move(tests);
  return queue;
}

WorkQueue::WorkQueue(WorkQueue&& other) noexcept
{
  std::lock_guard lock(other.m_mutex);
  m_dynamic = other.m_dynamic;
  m_stopped = other.m_stopped;
  m_shard_count = other.m_shard_count;
  m_per_shard = std::move(other.m_per_shard);
  m_shared = std::move(other.m_shared);
  m_expected_left = other.m_expected_left;
  m_next = other.m_next;
}

std::optional<TestCase> WorkQueue::take_one(int shard, Milliseconds work_ahead)
{
  std::lock_guard lock(m_mutex);
  if (m_stopped) {
    return std::nullopt;
  }
  if (!m_dynamic) {
    auto* own = own_tests_left(shard);
    if (own == nullptr) {
      return std::nullopt;
    }
    TestCase test = std::move(own->front());
    own->erase(own->begin());
    return test;
  }
  if (m_next == m_shared.size()) {
    return std::nullopt;
  }
  const TestCase& longest = m_shared[m_next];
  // A shard's fair part of what is left: holding the longest behind work_ahead would take it past
  // that while others could run the longest sooner.
  const Milliseconds fair_part = m_expected_left / m_shard_count;
  if (work_ahead >= k_work_ahead_for_shortest && work_ahead + longest.expected > fair_part &&
      m_shared.back().expected < longest.expected) {
    TestCase shortest = std::move(m_shared.back());
    m_shared.pop_back();
    m_expected_left -= shortest.expected;
    return shortest;
  }
  m_expected_left -= longest.expected;
  return m_shared[m_next++];
}

TestBatch* WorkQueue::own_tests_left(int shard)
{
  const auto index = static_cast<std::size_t>(shard - 1);
  if (index >= m_per_shard.size() || m_per_shard[index].empty()) {
    return nullptr;
  }
  return &m_per_shard[index];
}

bool WorkQueue::requeue(int shard, const std::vector<TestCase>& tests)
{
  std::lock_guard lock(m_mutex);
  if (m_stopped) {
    return false;
  }
  if (m_dynamic) {
    // Next in line: they were due already, and any shard may take them.
    m_shared.insert(m_shared.begin() + static_cast<std::ptrdiff_t>(m_next), tests.begin(),
                    tests.end());
    for (const auto& test : tests) {
      m_expected_left += test.expected;
    }
  } else {
    // Next in line too: they were due first (a worker's unstarted tests keep their order).
    auto& own = m_per_shard.at(static_cast<std::size_t>(shard - 1));
    own.insert(own.begin(), tests.begin(), tests.end());
  }
  return true;
}

std::vector<TestCase> WorkQueue::stop()
{
  std::lock_guard lock(m_mutex);
  m_stopped = true;
  std::vector<TestCase> never_run;
  if (m_dynamic) {
    never_run.assign(m_shared.begin() + static_cast<std::ptrdiff_t>(m_next), m_shared.end());
    m_next = m_shared.size();
    m_expected_left = Milliseconds(0);
  } else {
    for (auto& batch : m_per_shard) {
      never_run.insert(never_run.end(), batch.begin(), batch.end());
      batch.clear();
    }
  }
  return never_run;
}

bool WorkQueue::holds_more_than(int shards, int shard) const
{
  std::lock_guard lock(m_mutex);
  if (!m_dynamic) {
    const auto index = static_cast<std::size_t>(shard - 1);
    return index < m_per_shard.size() && !m_per_shard[index].empty();
  }
  return m_shared.size() - m_next > static_cast<std::size_t>(shards);
}

bool WorkQueue::stopped() const
{
  std::lock_guard lock(m_mutex);
  return m_stopped;
}

std::vector<TestCase> WorkQueue::remaining() const
{
  std::lock_guard lock(m_mutex);
  if (m_dynamic) {
    return {m_shared.begin() + static_cast<std::ptrdiff_t>(m_next), m_shared.end()};
  }
  std::vector<TestCase> left;
  for (const auto& batch : m_per_shard) {
    left.insert(left.end(), batch.begin(), batch.end());
  }
  return left;
}

}  // namespace orchestrate
