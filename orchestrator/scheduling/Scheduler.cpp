#include "scheduling/Scheduler.hpp"

#include "process/SignalState.hpp"

#include <atomic>
#include <mutex>
#include <spdlog/spdlog.h>
#include <thread>

namespace orchestrate {

namespace {

bool counts_as_failure(const TestResult& result)
{
  return result.outcome == Outcome::k_failed || result.outcome == Outcome::k_error;
}

// State shared by the shard threads of one run.
class SharedRunState
{
public:
  SharedRunState(WorkQueue& queue, const SchedulerOptions& options,
                 const SchedulerListener& listener)
    : m_queue(queue),
      m_options(options),
      m_listener(listener)
  {
  }

  void record_results(std::vector<TestResult> results)
  {
    std::lock_guard lock(m_mutex);
    for (auto& result : results) {
      if (counts_as_failure(result)) {
        ++m_failures;
      }
      if (m_listener.on_result) {
        m_listener.on_result(result);
      }
      m_result.results.push_back(std::move(result));
    }
    if (m_options.max_failures > 0 && m_failures >= m_options.max_failures &&
        !m_result.stopped_early) {
      m_result.stopped_early = true;
      m_queue.stop();
    }
  }

  void record_shard_ready(int shard)
  {
    std::lock_guard lock(m_mutex);
    if (m_listener.on_shard_ready) {
      m_listener.on_shard_ready(shard);
    }
  }

  void record_shard_error(ShardError error)
  {
    std::lock_guard lock(m_mutex);
    if (m_listener.on_shard_error) {
      m_listener.on_shard_error(error);
    }
    m_result.shard_errors.push_back(std::move(error));
  }

  ScheduleResult take_result()
  {
    std::lock_guard lock(m_mutex);
    return std::move(m_result);
  }

private:
  std::mutex m_mutex;
  WorkQueue& m_queue;
  const SchedulerOptions& m_options;
  const SchedulerListener& m_listener;
  int m_failures = 0;
  ScheduleResult m_result;
};

void run_one_shard(int shard, WorkQueue& queue, ShardSessionFactory& factory,
                   SharedRunState& state)
{
  try {
    if (queue.stopped() || interrupt_count() > 0) {
      return;
    }
    auto session = factory.open(shard);
    state.record_shard_ready(shard);
    while (interrupt_count() == 0) {
      auto batch = queue.take(shard);
      if (!batch) {
        break;
      }
      state.record_results(session->run_batch(*batch));
    }
  } catch (const std::exception& error) {
    state.record_shard_error({shard, error.what()});
  } catch (...) {
    state.record_shard_error({shard, "unknown error"});
  }
}

}  // namespace

ScheduleResult run_shards(WorkQueue& queue, ShardSessionFactory& factory,
                          const SchedulerOptions& options, const SchedulerListener& listener)
{
  SharedRunState state(queue, options, listener);
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(options.shard_count));
  for (int shard = 1; shard <= options.shard_count; ++shard) {
    threads.emplace_back(run_one_shard, shard, std::ref(queue), std::ref(factory),
                         std::ref(state));
  }
  for (auto& thread : threads) {
    thread.join();
  }
  auto result = state.take_result();
  result.interrupted = interrupt_count() > 0;
  result.not_run = queue.stop();
  return result;
}

}  // namespace orchestrate
