#pragma once

#include "reporting/RunEvents.hpp"
#include "scheduling/ShardSession.hpp"
#include "scheduling/WorkQueue.hpp"

#include <string>
#include <vector>

namespace orchestrate {

struct SchedulerOptions
{
  int shard_count = 1;
  int max_failures = 0;  // stop dispatching once this many tests failed (-x is 1); 0: never
  int reruns = 0;        // run a failed test again up to this many times, in the same shard
};

struct ShardError
{
  int shard = 0;
  std::string message;
};

struct ScheduleResult
{
  std::vector<TestResult> results;
  std::vector<TestCase> not_run;      // never dispatched: -x/--maxfail, interrupt, dead shards
  std::vector<ShardError> shard_errors;
  bool stopped_early = false;         // -x / --maxfail
  bool interrupted = false;
};

// Runs shards in parallel, one thread per shard: open the shard's session, then take batches from
// the queue until it is empty or stopped, then close the session (its destructor tears down), so
// teardowns of several shards run in parallel. Every thread catches everything: a shard that fails
// records a ShardError and its untaken work stays in the queue for the others (dynamic) or is
// reported as not run (static). A failed test is retried up to `reruns` times in the same shard;
// one that then passes is reported passed and flaky, with its attempts. When max_failures is
// reached, dispatch stops and running tests are stopped (request_stop()); the tests that were
// stopped before they finished are reported as not run. Each final result and each shard error
// goes to `events` as it is recorded (test_finished, shard_failed; serialised). Never throws.
ScheduleResult run_shards(WorkQueue& queue, ShardSessionFactory& factory,
                          const SchedulerOptions& options, RunEvents& events);

// The same with nobody listening (the scheduler's own tests).
inline ScheduleResult run_shards(WorkQueue& queue, ShardSessionFactory& factory,
                                 const SchedulerOptions& options)
{
  RunEvents ignored;
  return run_shards(queue, factory, options, ignored);
}

}  // namespace orchestrate
