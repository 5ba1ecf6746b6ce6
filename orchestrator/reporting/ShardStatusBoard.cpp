#include "reporting/ShardStatusBoard.hpp"

#include <algorithm>

namespace orchestrate {

void ProgressCounts::add(const TestResult& result)
{
  switch (result.outcome) {
  case Outcome::k_passed:
  case Outcome::k_xpassed:
    ++passed;
    return;
  case Outcome::k_failed:
  case Outcome::k_error:
    ++failed;
    return;
  case Outcome::k_skipped:
  case Outcome::k_xfailed:
    ++skipped;
    return;
  }
}

ShardStatusBoard::ShardStatusBoard(int shards, int total_tests)
  : m_shards(static_cast<std::size_t>(std::max(shards, 0))),
    m_total(total_tests)
{
}

ShardStatus* ShardStatusBoard::find(int shard)
{
  if (shard < 1 || shard > static_cast<int>(m_shards.size())) {
    return nullptr;
  }
  return &m_shards[static_cast<std::size_t>(shard - 1)];
}

void ShardStatusBoard::starting(int shard)
{
  if (auto* status = find(shard)) {
    status->state = ShardState::k_starting;
  }
}

void ShardStatusBoard::placed(int shard, const std::string& engine)
{
  if (auto* status = find(shard)) {
    status->engine = engine;
  }
}

void ShardStatusBoard::batch_started(int shard, int tests, const std::string& first_test)
{
  if (auto* status = find(shard)) {
    status->state = ShardState::k_running;
    ++status->batches;
    status->batch_size = tests;
    status->first_test = first_test;
    status->current_test.clear();
    status->started_in_batch = 0;
  }
}

void ShardStatusBoard::test_started(int shard, const std::string& test_id)
{
  if (auto* status = find(shard)) {
    // A shard fed test by test (a persistent worker) has no batches: its first test says it runs.
    if (status->state == ShardState::k_waiting || status->state == ShardState::k_starting) {
      status->state = ShardState::k_running;
    }
    status->current_test = test_id;
    // A runner restarted after a crash starts the rest again, never more than the batch.
    status->started_in_batch = std::min(status->started_in_batch + 1, status->batch_size);
  }
}

void ShardStatusBoard::test_finished(const TestResult& result)
{
  m_overall.add(result);
  if (auto* status = find(result.shard)) {
    status->counts.add(result);
  }
}

void ShardStatusBoard::tearing_down(int shard)
{
  if (auto* status = find(shard)) {
    status->state = ShardState::k_tearing_down;
  }
}

void ShardStatusBoard::finished(int shard)
{
  // A shard whose stack failed stays failed: its teardown after the error is not news.
  if (auto* status = find(shard); status != nullptr && status->state != ShardState::k_failed) {
    status->state = ShardState::k_done;
  }
}

void ShardStatusBoard::failed(int shard, const std::string& message)
{
  if (auto* status = find(shard)) {
    status->state = ShardState::k_failed;
    status->error = message.substr(0, message.find('\n'));
  }
}

int ShardStatusBoard::percent() const
{
  if (m_total <= 0) {
    return 100;
  }
  return std::min(100, (m_overall.done() * 100) / m_total);
}

}  // namespace orchestrate
