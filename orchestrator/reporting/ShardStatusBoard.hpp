#pragma once

#include "reporting/TestResult.hpp"

#include <string>
#include <vector>

namespace orchestrate {

// Tests counted the way the live display shows them: errors count as failed, xfailed as skipped,
// xpassed (and flaky) as passed, so that the three numbers add up to the tests done.
struct ProgressCounts
{
  int passed = 0;
  int failed = 0;
  int skipped = 0;

  int done() const
  {
    return passed + failed + skipped;
  }

  void add(const TestResult& result);

  bool operator==(const ProgressCounts&) const = default;
};

enum class ShardState {
  k_waiting,        // not started yet (or queued behind the memory budget)
  k_starting,       // bringing its stack up and waiting for readiness
  k_running,        // running a batch
  k_tearing_down,   // removing its stack
  k_done,           // finished, stack gone
  k_failed,         // its stack never became ready
};

struct ShardStatus
{
  ShardState state = ShardState::k_waiting;
  ProgressCounts counts;
  int batches = 0;          // batches started so far (0: fed test by test, no batches)
  int batch_size = 0;       // tests in the current batch
  std::string first_test;   // the current batch's first test id
  std::string current_test; // the test running now, once the runner said so
  int started_in_batch = 0; // tests of the current batch started so far
  std::string error;        // first line of the reason, when failed
  std::string engine;       // the engine its stack is on; "" with one engine (or not placed yet)
};

// What each shard of a run is doing and how many tests are done, for the live display. Pure
// state: no output, no clock, no locking (the reporter holds the lock). Shards are 1-based;
// events for a shard outside 1..shards only count towards the totals.
class ShardStatusBoard
{
public:
  ShardStatusBoard(int shards, int total_tests);

  void starting(int shard);
  // With several engines: the shard's stack is (now) on `engine`.
  void placed(int shard, const std::string& engine);
  void batch_started(int shard, int tests, const std::string& first_test);
  void test_started(int shard, const std::string& test_id);
  void test_finished(const TestResult& result);
  void tearing_down(int shard);
  void finished(int shard);
  // Keeps only the message's first line: the whole text is printed above the display.
  void failed(int shard, const std::string& message);

  const std::vector<ShardStatus>& shards() const
  {
    return m_shards;
  }
  const ProgressCounts& overall() const
  {
    return m_overall;
  }
  int total_tests() const
  {
    return m_total;
  }
  // Tests done as a whole percentage of the total, rounded down like the `[ 42%]` lines; 100
  // when there is nothing to run.
  int percent() const;

private:
  ShardStatus* find(int shard);

  std::vector<ShardStatus> m_shards;
  ProgressCounts m_overall;
  int m_total;
};

}  // namespace orchestrate
