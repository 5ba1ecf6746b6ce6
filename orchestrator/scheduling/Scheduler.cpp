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

// The runner's word for a test it could not finish because the run was stopped.
constexpr const char* k_interrupted_message = "interrupted";

bool was_cut_short(const TestResult& result)
{
  return result.outcome == Outcome::k_error && result.message == k_interrupted_message &&
         should_stop_children();
}

TestCase find_test(const TestBatch& batch, const std::string& id)
{
  for (const auto& test : batch) {
    if (test.id == id) {
      return test;
    }
  }
  return {id, Milliseconds(0)};
}

// Runs a batch, then its failed tests again (up to `reruns` more attempts each) in the same
// shard. A test that passes on a retry keeps that result, marked flaky, with all its attempts.
std::vector<TestResult> run_with_reruns(ShardSession& session, const TestBatch& batch, int reruns)
{
  auto results = session.run_batch(batch);
  for (int attempt = 2; attempt <= reruns + 1 && !should_stop_children(); ++attempt) {
    TestBatch retry;
    for (const auto& result : results) {
      if (counts_as_failure(result)) {
        retry.push_back(find_test(batch, result.id));
      }
    }
    if (retry.empty()) {
      break;
    }
    for (auto& retried : session.run_batch(retry)) {
      for (auto& result : results) {
        if (result.id == retried.id && counts_as_failure(result)) {
          const bool passed_now = !counts_as_failure(retried);
          retried.attempts = attempt;
          retried.flaky = passed_now;
          result = std::move(retried);
          break;
        }
      }
    }
  }
  return results;
}

// State shared by the shard threads of one run.
class SharedRunState
{
public:
  SharedRunState(WorkQueue& queue, const SchedulerOptions& options, RunEvents& events)
    : m_queue(queue),
      m_options(options),
      m_events(events)
  {
  }

  void record_results(std::vector<TestResult> results)
  {
    std::lock_guard lock(m_mutex);
    for (auto& result : results) {
      if (counts_as_failure(result)) {
        ++m_failures;
      }
      m_events.test_finished(result);
      m_result.results.push_back(std::move(result));
    }
    if (m_options.max_failures > 0 && m_failures >= m_options.max_failures) {
      stop_locked();
    }
  }

  // A test failed in a running batch. Without reruns that failure is final, so -x and --maxfail
  // count it now and stop the batch's remaining tests too, not only after the batch.
  void record_live_failure()
  {
    std::lock_guard lock(m_mutex);
    ++m_live_failures;
    if (m_options.max_failures > 0 && m_live_failures >= m_options.max_failures) {
      stop_locked();
    }
  }

  // Tests cut short by the stop above, or by an interrupt, did not fail: they did not run.
  void record_not_run(const TestCase& test)
  {
    std::lock_guard lock(m_mutex);
    m_result.not_run.push_back(test);
  }

  void record_shard_error(ShardError error)
  {
    std::lock_guard lock(m_mutex);
    m_events.shard_failed(error.shard, error.message);
    m_result.shard_errors.push_back(std::move(error));
  }

  ScheduleResult take_result()
  {
    std::lock_guard lock(m_mutex);
    return std::move(m_result);
  }

private:
  void stop_locked()
  {
    if (m_result.stopped_early) {
      return;
    }
    m_result.stopped_early = true;
    for (auto& test : m_queue.stop()) {
      m_result.not_run.push_back(std::move(test));
    }
    // -x means stop now, not after the other shards' batches: stop their running tests too.
    request_stop();
  }

  std::mutex m_mutex;
  WorkQueue& m_queue;
  const SchedulerOptions& m_options;
  RunEvents& m_events;
  int m_failures = 0;       // final results (after reruns)
  int m_live_failures = 0;  // failures reported while their batch ran (no reruns)
  ScheduleResult m_result;
};

void run_one_shard(int shard, WorkQueue& queue, ShardSessionFactory& factory,
                   SharedRunState& state, int reruns)
{
  try {
    if (queue.stopped() || interrupt_count() > 0) {
      return;
    }
    auto session = factory.open(shard);
    if (reruns == 0) {
      session->on_test_finished = [&state](const std::string&, bool failed) {
        if (failed) {
          state.record_live_failure();
        }
      };
    }
    while (!should_stop_children()) {
      auto batch = queue.take(shard);
      if (!batch) {
        break;
      }
      auto results = run_with_reruns(*session, *batch, reruns);
      for (auto& test : session->take_requeued()) {
        // After a stop nothing is handed out any more: such a test did not run.
        if (!queue.requeue(shard, {test})) {
          state.record_not_run(test);
        }
      }
      std::vector<TestResult> finished;
      for (auto& result : results) {
        if (was_cut_short(result)) {
          state.record_not_run(find_test(*batch, result.id));
        } else {
          finished.push_back(std::move(result));
        }
      }
      state.record_results(std::move(finished));
    }
  } catch (const std::exception& error) {
    state.record_shard_error({shard, error.what()});
  } catch (...) {
    state.record_shard_error({shard, "unknown error"});
  }
}

}  // namespace

ScheduleResult run_shards(WorkQueue& queue, ShardSessionFactory& factory,
                          const SchedulerOptions& options, RunEvents& events)
{
  SharedRunState state(queue, options, events);
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(options.shard_count));
  for (int shard = 1; shard <= options.shard_count; ++shard) {
    threads.emplace_back(run_one_shard, shard, std::ref(queue), std::ref(factory),
                         std::ref(state), options.reruns);
  }
  for (auto& thread : threads) {
    thread.join();
  }
  auto result = state.take_result();
  result.interrupted = interrupt_count() > 0;
  for (auto& test : queue.stop()) {
    result.not_run.push_back(std::move(test));
  }
  return result;
}

}  // namespace orchestrate
