#pragma once

// A fake ShardSession for scheduler tests: no Docker, no processes. Outcomes are scripted per test
// id and attempt; every call is recorded so tests can check who ran what, and when.

#include "process/SignalState.hpp"
#include "scheduling/ShardSession.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace orchestrate::testing {

struct FakeShardLog
{
  std::mutex mutex;
  std::map<int, std::vector<std::string>> tests_by_shard;  // shard -> tests it ran, in order
  std::map<std::string, int> attempts;                     // test id -> times run
  std::set<int> opened;
  std::set<int> closed;
  std::atomic<int> open_now{0};
  std::atomic<int> max_open{0};
};

// Decides a test's outcome from its id and attempt number (1-based).
using OutcomeScript = std::function<Outcome(const std::string& id, int attempt)>;

// Records that `shard` ran `id` and returns the result the script gives this attempt.
inline TestResult run_fake_test(FakeShardLog& log, int shard, const std::string& id,
                                const OutcomeScript& script)
{
  int attempt = 0;
  {
    std::lock_guard lock(log.mutex);
    log.tests_by_shard[shard].push_back(id);
    attempt = ++log.attempts[id];
  }
  TestResult result;
  result.id = id;
  result.shard = shard;
  result.outcome = script(id, attempt);
  return result;
}

class FakeShardSession : public ShardSession
{
public:
  FakeShardSession(int shard, FakeShardLog& log, OutcomeScript script,
                   std::chrono::milliseconds per_test)
    : m_shard(shard),
      m_log(log),
      m_script(std::move(script)),
      m_per_test(per_test)
  {
    const int now = ++m_log.open_now;
    int seen = m_log.max_open.load();
    while (now > seen && !m_log.max_open.compare_exchange_weak(seen, now)) {
    }
  }

  ~FakeShardSession() override
  {
    --m_log.open_now;
    std::lock_guard lock(m_log.mutex);
    m_log.closed.insert(m_shard);
  }

  std::vector<TestResult> run_batch(const TestBatch& batch) override
  {
    std::vector<TestResult> results;
    for (const auto& test : batch) {
      if (should_stop_children()) {
        // As a real runner does: what a stop cut short is an error saying "interrupted".
        TestResult cut;
        cut.id = test.id;
        cut.shard = m_shard;
        cut.outcome = Outcome::k_error;
        cut.message = "interrupted";
        results.push_back(cut);
        continue;
      }
      std::this_thread::sleep_for(m_per_test);
      TestResult result = run_fake_test(m_log, m_shard, test.id, m_script);
      if (on_test_finished) {
        on_test_finished(test.id, result.outcome == Outcome::k_failed ||
                                    result.outcome == Outcome::k_error);
      }
      results.push_back(result);
    }
    return results;
  }

private:
  int m_shard;
  FakeShardLog& m_log;
  OutcomeScript m_script;
  std::chrono::milliseconds m_per_test;
};

class FakeShardFactory : public ShardSessionFactory
{
public:
  explicit FakeShardFactory(OutcomeScript script = [](const std::string&, int) {
    return Outcome::k_passed;
  }, std::chrono::milliseconds per_test = std::chrono::milliseconds(1))
    : m_script(std::move(script)),
      m_per_test(per_test)
  {
  }

  // Shards in this set fail to open, as a stack that never becomes ready would.
  std::set<int> failing_shards;
  FakeShardLog log;

  std::unique_ptr<ShardSession> open(int shard) override
  {
    {
      std::lock_guard lock(log.mutex);
      log.opened.insert(shard);
    }
    if (failing_shards.count(shard) != 0) {
      throw std::runtime_error("stack of shard " + std::to_string(shard) + " never became ready");
    }
    return std::make_unique<FakeShardSession>(shard, log, m_script, m_per_test);
  }

private:
  OutcomeScript m_script;
  std::chrono::milliseconds m_per_test;
};

inline std::vector<TestCase> make_tests(int count, Milliseconds expected = Milliseconds(100))
{
  std::vector<TestCase> tests;
  for (int i = 0; i < count; ++i) {
    tests.push_back({"test_" + std::to_string(i), expected});
  }
  return tests;
}

}  // namespace orchestrate::testing
