#pragma once

// Fakes for driving a run's flow (scheduler + StackShardSession) without Docker or processes, as
// ninja tests its Builder with a fake CommandRunner: a stack provider whose stacks live in memory,
// a test runner that decides each test's outcome by a script, and a sink that records every run
// event.

#include "core/Error.hpp"
#include "process/SignalState.hpp"
#include "reporting/RunEvents.hpp"
#include "run/StackProvider.hpp"
#include "runners/TestRunner.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace orchestrate::testing {

// What the fake stacks of one run did; shared by the provider and its stacks.
struct FakeStackLog
{
  std::mutex mutex;
  std::set<int> failing_up;             // shards whose stacks fail in up()
  std::map<int, int> provided;          // shard -> stacks provided to it
  std::map<int, bool*> current_broken;  // shard -> the broken flag of its newest stack
  int up_now = 0;                       // stacks brought up and not released
  std::vector<std::string> released;    // "<name>#<n>" of each stack released, in order

  // Makes shard `shard`'s current stack report a broken service, as a crashed test would.
  void break_stack_of(int shard)
  {
    std::lock_guard lock(mutex);
    *current_broken.at(shard) = true;
  }
};

// Port of the `n`-th stack of `shard`: a recreated stack gets new ports, as a real one does.
inline int fake_port(int shard, int n)
{
  return 10'000 + shard * 100 + n;
}

class FakeShardStack : public ShardStack
{
public:
  FakeShardStack(FakeStackLog& log, int shard, int n, std::string fixture)
    : m_log(log),
      m_shard(shard),
      m_n(n),
      m_name("fake-s" + std::to_string(shard)),
      m_fixture(std::move(fixture))
  {
    std::lock_guard lock(m_log.mutex);
    m_log.current_broken[shard] = &m_broken;
  }

  ~FakeShardStack() override
  {
    release();
    std::lock_guard lock(m_log.mutex);
    if (m_log.current_broken[m_shard] == &m_broken) {
      m_log.current_broken.erase(m_shard);
    }
  }

  const std::string& name() const override
  {
    return m_name;
  }

  void up() override
  {
    std::lock_guard lock(m_log.mutex);
    m_up = true;  // partly started: release() must remove it
    ++m_log.up_now;
    if (m_log.failing_up.count(m_shard) != 0) {
      throw InternalError("compose up of " + m_name + " failed: port allocation refused");
    }
  }

  std::optional<std::map<std::string, ReadyEndpoint>> published_endpoints() noexcept override
  {
    return endpoints();
  }

  std::map<std::string, ReadyEndpoint> wait_ready() override
  {
    return endpoints();
  }

  std::vector<std::string> broken_services() override
  {
    std::lock_guard lock(m_log.mutex);
    if (m_broken) {
      return {m_fixture + ": exited with code 137"};
    }
    return {};
  }

  std::vector<ServiceDeath> service_deaths() override
  {
    return {};  // when it died is unknown: no test is re-queued for it
  }

  Milliseconds release() noexcept override
  {
    std::lock_guard lock(m_log.mutex);
    if (m_up && !m_kept) {
      m_up = false;
      --m_log.up_now;
      m_log.released.push_back(m_name + "#" + std::to_string(m_n));
    }
    return Milliseconds(5);
  }

  void keep() override
  {
    m_kept = true;
  }

private:
  std::map<std::string, ReadyEndpoint> endpoints() const
  {
    return {{m_fixture, ReadyEndpoint{"127.0.0.1", fake_port(m_shard, m_n)}}};
  }

  FakeStackLog& m_log;
  int m_shard;
  int m_n;
  std::string m_name;
  std::string m_fixture;
  bool m_broken = false;  // guarded by m_log.mutex
  bool m_up = false;
  bool m_kept = false;
};

class FakeStackProvider : public StackProvider
{
public:
  explicit FakeStackProvider(std::string fixture) : m_fixture(std::move(fixture))
  {
  }

  FakeStackLog log;

  std::unique_ptr<ShardStack> provide(int shard, const std::filesystem::path&) override
  {
    int n = 0;
    {
      std::lock_guard lock(log.mutex);
      n = ++log.provided[shard];
    }
    return std::make_unique<FakeShardStack>(log, shard, n, m_fixture);
  }

private:
  std::string m_fixture;
};

// What the fake runner saw of one test run.
struct FakeRun
{
  std::string id;
  std::map<std::string, std::string> environment;
};

// Decides a test's outcome; may act on the run (break a stack, interrupt) as a test could.
using FakeTestScript = std::function<Outcome(const FakeRun& run)>;

class FakeTestRunner : public TestRunner
{
public:
  explicit FakeTestRunner(FakeTestScript script) : m_script(std::move(script))
  {
  }

  std::vector<std::string> collect() override
  {
    return {};
  }

  BatchOutcome run_batch(const BatchRequest& request) override
  {
    BatchOutcome outcome;
    for (const auto& id : request.test_ids) {
      TestResult result;
      result.id = id;
      if (should_stop_children()) {
        // As every runner does: what a stop cut short is an error saying "interrupted".
        result.outcome = Outcome::k_error;
        result.message = "interrupted";
        outcome.results.push_back(result);
        continue;
      }
      if (request.on_test_started) {
        request.on_test_started(id, std::chrono::system_clock::now());
      }
      const FakeRun run{id, request.environment};
      {
        std::lock_guard lock(m_mutex);
        m_runs.push_back(run);
      }
      result.outcome = m_script(run);
      const bool failed = result.outcome == Outcome::k_failed || result.outcome == Outcome::k_error;
      if (request.on_test_finished) {
        request.on_test_finished(id, failed);
      }
      outcome.results.push_back(result);
    }
    return outcome;
  }

  std::vector<FakeRun> runs() const
  {
    std::lock_guard lock(m_mutex);
    return m_runs;
  }

private:
  FakeTestScript m_script;
  mutable std::mutex m_mutex;
  std::vector<FakeRun> m_runs;
};

// Every event of the run, as lines ("opening 1", "ready 1", "closed 2 (error)", ...).
class RecordedEvents : public RunEvents
{
public:
  void shard_opening(int shard) noexcept override
  {
    add("opening " + std::to_string(shard));
  }
  void stack_up(int shard, Clock::time_point) override
  {
    add("stack up " + std::to_string(shard));
  }
  void stack_ready(int shard, Clock::time_point) override
  {
    add("ready " + std::to_string(shard));
  }
  void test_finished(const TestResult& result) override
  {
    std::lock_guard lock(m_mutex);
    m_results.push_back(result);
  }
  void shard_failed(int shard, const std::string& message) override
  {
    add("failed " + std::to_string(shard) + ": " + message);
  }
  void shard_tearing_down(int shard) noexcept override
  {
    add("tearing down " + std::to_string(shard));
  }
  void shard_closed(const ShardTiming& timing) noexcept override
  {
    add("closed " + std::to_string(timing.shard) + (timing.error.empty() ? "" : " (error)"));
    std::lock_guard lock(m_mutex);
    m_closed.push_back(timing);
  }
  void message(const std::string& text) override
  {
    add("message " + text);
  }

  std::vector<std::string> lines() const
  {
    std::lock_guard lock(m_mutex);
    return m_lines;
  }
  // The lines about shard `shard` ("... <shard>" or "... <shard>: ..." or "... <shard> (...)").
  std::vector<std::string> lines_of(int shard) const
  {
    const auto suffix = " " + std::to_string(shard);
    std::vector<std::string> found;
    for (const auto& line : lines()) {
      const auto at = line.find(suffix);
      if (at == std::string::npos || line.rfind("message", 0) == 0) {
        continue;
      }
      const auto end = at + suffix.size();
      if (end == line.size() || line[end] == ':' || line[end] == ' ') {
        found.push_back(line);
      }
    }
    return found;
  }
  std::vector<ShardTiming> closed() const
  {
    std::lock_guard lock(m_mutex);
    return m_closed;
  }
  std::vector<TestResult> results() const
  {
    std::lock_guard lock(m_mutex);
    return m_results;
  }

private:
  void add(std::string line) noexcept
  {
    try {
      std::lock_guard lock(m_mutex);
      m_lines.push_back(std::move(line));
    } catch (...) {
      // A test's record only; the run goes on.
    }
  }

  mutable std::mutex m_mutex;
  std::vector<std::string> m_lines;
  std::vector<ShardTiming> m_closed;
  std::vector<TestResult> m_results;
};

}  // namespace orchestrate::testing
