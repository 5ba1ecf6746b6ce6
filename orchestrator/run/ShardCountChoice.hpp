#pragma once

#include "core/Quantities.hpp"
#include "scheduling/TestCase.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

class DurationStore;
class StackAdmission;

// The most shards `--parallel auto` considers; also what the run's memory admission is built with
// before the tests are selected (the choice itself is never above the budget's stack count).
inline constexpr int k_auto_shard_limit = 64;

// What `--parallel auto` decides from: this machine, the budget, and what is known of the tests.
struct ShardCountInputs
{
  int cores = 1;                  // CPUs this process may run on
  int tests = 0;                  // selected tests
  Milliseconds work{0};           // their expected durations, summed
  Milliseconds longest{0};        // the longest expected test: no shard count ends sooner
  int timed_tests = 0;            // how many of them have a recorded duration
  bool uses_stacks = false;       // the suite has fixtures: each shard brings up a stack
  std::optional<Milliseconds> recorded_stack_start;  // per shard, `up` until ready; none yet
  std::uint64_t memory_budget_bytes = 0;
  std::uint64_t stack_cost_bytes = 0;  // one stack's memory limits, summed; 0: no limits set
};

// How many shards, and one line saying why.
struct ShardCountChoice
{
  int shards = 1;
  std::string explanation;  // "--parallel auto: 4 shards (2 cores, budget ...)"
};

// Picks the shard count whose estimated wall time is shortest, preferring fewer shards when the
// estimates are within 5% (each shard costs a stack and a runner start). The estimate for n
// shards is
//
//   start * max(1, n / cores)  +  max(work / n, longest)
//
// where `start` is the recorded stack start (2 s assumed before one is recorded; 0.5 s of runner
// start-up without stacks): stacks start side by side, but their start-up is CPU work (compose,
// container start, health checks) that queues once there are more stacks than cores. Tests that
// wait on services overlap beyond the core count; without stacks the tests are the CPU work, so
// never more shards than cores. Never more shards than tests, than the memory budget holds
// stacks, or than k_auto_shard_limit. Always at least 1. Pure: no I/O, never throws.
ShardCountChoice choose_shard_count(const ShardCountInputs& inputs);

// The CPUs this process may run on (sched_getaffinity, so taskset and cpusets count), else
// std::thread::hardware_concurrency(); at least 1.
int usable_cores();

// Gathers the inputs for a run: `tests` as selected (their `expected` filled from `durations`),
// which of them have a recorded duration, the suite's recorded stack start, the cores, and the
// budget and stack cost of `admission` (null: the suite starts no stacks).
ShardCountInputs shard_count_inputs(const std::vector<TestCase>& tests,
                                    const DurationStore& durations, const std::string& suite,
                                    const StackAdmission* admission);

}  // namespace orchestrate
