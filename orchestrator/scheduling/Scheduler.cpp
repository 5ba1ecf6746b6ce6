#include "scheduling/Scheduler.hpp"

#include "process/SignalState.hpp"

#include <atomic>
#include <map>
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

// One shard's view of the run: tests from the shared queue (or its static list), its own failed
// tests again first (--reruns, in the same shard), results recorded as they come.
class ShardFeed : public TestFeed
{
public:
  ShardFeed(int shard, int shard_count, WorkQueue& queue, SharedRunState& state, int reruns)
    : m_shard(shard),
      m_shard_count(shard_count),
      m_queue(queue),
      m_state(state),
      m_reruns(reruns)
  {
  }

  bool has_tests_to_spare() const override
  {
    return !m_reruns_due.empty() || m_queue.holds_more_than(m_shard_count, m_shard);
  }

  std::optional<TestCase> next() override
  {
    return next_behind(Milliseconds(0));
  }

  std::optional<TestCase> next_behind(Milliseconds work_ahead) override
  {
    if (should_stop_children()) {
      return std::nullopt;
    }
    if (!m_reruns_due.empty()) {
      TestCase test = std::move(m_reruns_due.front());
      m_reruns_due.erase(m_reruns_due.begin());
      return test;
    }
    auto test = m_queue.take_one(m_shard, work_ahead);
    if (test) {
      m_handed_out[test->id] = *test;
    }
    return test;
  }

  void finished(TestResult result) override
  {
    const TestCase test = handed_out(result.id);
    if (was_cut_short(result)) {
      m_state.record_not_run(test);
      return;
    }
    // A failed test runs again up to `reruns` times; one that then passes is reported passed and
    // flaky, with its attempts. The last attempt's result is the one reported.
    const int attempt = ++m_attempts[result.id];
    if (counts_as_failure(result) && attempt <= m_reruns && !should_stop_children()) {
      m_reruns_due.push_back(test);
      return;
    }
    if (attempt > 1) {
      result.attempts = attempt;
      result.flaky = !counts_as_failure(result);
    }
    m_state.record_results({std::move(result)});
  }

  void give_back(const std::vector<TestCase>& tests) override
  {
    // After a stop nothing is handed out any more: such tests did not run.
    if (!tests.empty() && !m_queue.requeue(m_shard, tests)) {
      for (const auto& test : tests) {
        m_state.record_not_run(test);
      }
    }
  }

private:
  TestCase handed_out(const std::string& id) const
  {
    const auto found = m_handed_out.find(id);
    return found != m_handed_out.end() ? found->second : TestCase{id, Milliseconds(0)};
  }

  int m_shard;
  int m_shard_count;
  WorkQueue& m_queue;
  SharedRunState& m_state;
  int m_reruns;
  std::map<std::string, TestCase> m_handed_out;
  std::map<std::string, int> m_attempts;
  std::vector<TestCase> m_reruns_due;
};

void run_one_shard(int shard, WorkQueue& queue, ShardSessionFactory& factory,
                   SharedRunState& state, const SchedulerOptions& options)
{
  try {
    if (queue.stopped() || interrupt_count() > 0) {
      return;
    }
    auto session = factory.open(shard);
    if (options.reruns == 0) {
      // A runner that reports tests while its batch goes on lets -x stop the batch's others.
      session->on_test_finished = [&state](const std::string&, bool failed) {
        if (failed) {
          state.record_live_failure();
        }
      };
    }
    ShardFeed feed(shard, options.shard_count, queue, state, options.reruns);
    session->run_tests(feed);
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
                         std::ref(state), std::cref(options));
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
