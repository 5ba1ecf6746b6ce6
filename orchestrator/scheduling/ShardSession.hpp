#pragma once

#include "reporting/TestResult.hpp"
#include "scheduling/TestCase.hpp"
#include "scheduling/TestFeed.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace orchestrate {

// One shard's environment for the whole run: opened once (its stack brought up and gated), then
// asked to run tests; its destructor tears everything down. The real implementation drives
// compose and a test runner; tests of the scheduler use a fake.
class ShardSession
{
public:
  virtual ~ShardSession() = default;

  // Runs tests from `feed` until it has none left, reporting each result to it as it ends. The
  // default takes small batches (k_feed_batch_size tests) and runs each with run_batch(): right
  // for runners that start in milliseconds. A session with a persistent runner (a pytest worker)
  // streams instead. Throws when the shard cannot go on (its work stays in the queue).
  virtual void run_tests(TestFeed& feed);

  // Runs one batch; returns one result per test, except the tests it hands back through
  // take_requeued(). Must not throw for test failures.
  virtual std::vector<TestResult> run_batch(const TestBatch& batch) = 0;

  // The tests of the batches run so far that must run again without being charged (a fixture's
  // service died under them), each with `requeues` counted up; taken, so a second call returns
  // only newer ones. The scheduler puts them back in the queue.
  virtual std::vector<TestCase> take_requeued()
  {
    return {};
  }

  // Set by the scheduler; a session calls it (from the thread running the batch) as each test
  // of a batch ends, with whether it failed, so that -x and --maxfail stop the batch's other tests
  // at once instead of after the batch. Its final results still come from run_batch.
  std::function<void(const std::string& test_id, bool failed)> on_test_finished;
};

class ShardSessionFactory
{
public:
  virtual ~ShardSessionFactory() = default;

  // Opens shard `shard` (1-based). Throws when its environment cannot be brought up; whatever it
  // created is torn down before the exception leaves.
  virtual std::unique_ptr<ShardSession> open(int shard) = 0;
};

}  // namespace orchestrate
