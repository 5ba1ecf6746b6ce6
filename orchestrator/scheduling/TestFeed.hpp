#pragma once

#include "reporting/TestResult.hpp"
#include "scheduling/TestCase.hpp"

#include <optional>
#include <vector>

namespace orchestrate {

// Where one shard's session takes its tests from, one at a time, as its runner is ready for more
// (pull-based: a shard asks when its queue runs low), and where it reports each test's result as
// soon as it is known. The scheduler implements it over the shared queue; reruns, -x, --maxfail
// and interrupts are its business, not the session's. Used by one shard thread.
class TestFeed
{
public:
  virtual ~TestFeed() = default;

  // The next test for this shard: a rerun of one of its failed tests first, else the longest
  // test left in the shared queue (dynamic) or the next of its own list (static). nullopt when
  // there is none left or the run stopped.
  virtual std::optional<TestCase> next() = 0;

  // As next(), for a test queued behind `work_ahead` of expected work that the shard's runner
  // already holds: while that is long, the shortest test left rather than the longest
  // (WorkQueue::take_one), so that long tests go to the shards that are free sooner.
  virtual std::optional<TestCase> next_behind(Milliseconds work_ahead)
  {
    (void)work_ahead;
    return next();
  }

  // Whether this shard may take tests ahead of the one it runs next (to keep a persistent
  // runner fed): not when the shared queue holds no more tests than there are shards, which
  // then need them more (two long tests and two shards must not both go to one shard).
  virtual bool has_tests_to_spare() const
  {
    return true;
  }

  // The result of a test handed out by next(). A failure may come back from next() to run again
  // (--reruns).
  virtual void finished(TestResult result) = 0;

  // Tests handed out that this shard will not run after all (its runner died with them queued;
  // its stack died under them): back into the shared queue for any shard.
  virtual void give_back(const std::vector<TestCase>& tests) = 0;
};

}  // namespace orchestrate
