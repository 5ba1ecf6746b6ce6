#include "run/ShardCountChoice.hpp"

#include "resources/StackAdmission.hpp"
#include "selection/DurationStore.hpp"

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

namespace orchestrate {

namespace {

// A stack's start-up before one was recorded: `up` plus health checks of a database and a cache
// took 1.9 s on the bundled suites.
constexpr Milliseconds k_assumed_stack_start{2'000};
// Without stacks a shard still starts a runner (an interpreter importing the test modules).
constexpr Milliseconds k_runner_start{500};
// What the runner spends on each test besides its recorded duration (setup, report, the next
// test's dispatch): trivial tests record 0 ms but still take time.
constexpr Milliseconds k_per_test_overhead{1};
// Shard counts whose estimate is within this fraction of the best count as equally fast; the
// fewest of them wins, since every shard costs a stack's memory and CPU.
constexpr double k_equally_fast = 0.05;

// Seconds as a person rounds them: "~23 s", "~1.9 s", "~0.4 s".
std::string approximate_seconds(double milliseconds)
{
  const double seconds = milliseconds / 1000.0;
  char text[32];
  if (seconds >= 10.0) {
    std::snprintf(text, sizeof text, "~%.0f s", seconds);
  } else {
    std::snprintf(text, sizeof text, "~%.1f s", seconds);
  }
  return text;
}

std::string plural(int count, const char* one, const char* many)
{
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

// The parts of the estimate (milliseconds), and the wall time it gives `shards` shards.
struct WallModel
{
  double start = 0;    // one shard's start-up
  double work = 0;     // every test, one after another
  double longest = 0;  // the longest test
  int cores = 1;

  double wall(int shards) const
  {
    const double start_rounds = std::max(1.0, static_cast<double>(shards) / cores);
    return start * start_rounds + std::max(work / shards, longest);
  }
};

std::string describe_work(const ShardCountInputs& inputs, double work)
{
  std::string text = plural(inputs.tests, "test", "tests") + " of " + approximate_seconds(work);
  if (inputs.timed_tests == inputs.tests) {
    return text + " recorded work";
  }
  if (inputs.timed_tests == 0) {
    return text + " estimated work (no durations recorded yet)";
  }
  return text + " work (" + std::to_string(inputs.timed_tests) + " recorded, the rest estimated)";
}

}  // namespace

ShardCountChoice choose_shard_count(const ShardCountInputs& inputs)
{
  const int cores = std::max(inputs.cores, 1);
  WallModel model;
  model.start = static_cast<double>(
    inputs.uses_stacks ? inputs.recorded_stack_start.value_or(k_assumed_stack_start).count()
                       : k_runner_start.count());
  model.work = static_cast<double>(inputs.work.count()) +
               static_cast<double>(inputs.tests) * static_cast<double>(k_per_test_overhead.count());
  model.longest = static_cast<double>(inputs.longest.count());
  model.cores = cores;

  int limit = std::min(k_auto_shard_limit, std::max(inputs.tests, 1));
  int budget_stacks = 0;
  if (inputs.uses_stacks && inputs.stack_cost_bytes > 0) {
    budget_stacks = static_cast<int>(std::min<std::uint64_t>(
      inputs.memory_budget_bytes / inputs.stack_cost_bytes, k_auto_shard_limit));
    limit = std::min(limit, std::max(budget_stacks, 1));
  }
  if (!inputs.uses_stacks) {
    limit = std::min(limit, cores);
  }

  double best = model.wall(1);
  for (int shards = 2; shards <= limit; ++shards) {
    best = std::min(best, model.wall(shards));
  }
  ShardCountChoice choice;
  for (int shards = 1; shards <= limit; ++shards) {
    if (model.wall(shards) <= best * (1.0 + k_equally_fast)) {
      choice.shards = shards;
      break;
    }
  }

  std::string why = plural(cores, "core", "cores");
  if (inputs.uses_stacks && inputs.stack_cost_bytes > 0) {
    why += ", budget " + format_bytes(inputs.memory_budget_bytes) + " holds " +
           plural(budget_stacks, "stack", "stacks") + " of " + format_bytes(inputs.stack_cost_bytes);
  } else if (inputs.uses_stacks) {
    why += ", no memory limits on the stack (the budget does not cap)";
  }
  why += ", " + describe_work(inputs, model.work);
  if (!inputs.uses_stacks) {
    why += ", no stacks: at most one shard per core";
  } else if (inputs.recorded_stack_start) {
    why += ", stack start " + approximate_seconds(model.start);
  } else {
    why += ", stack start " + approximate_seconds(model.start) + " assumed (none recorded yet)";
  }
  choice.explanation = "--parallel auto: " + plural(choice.shards, "shard", "shards") +
                       ", estimated " +
                       approximate_seconds(model.wall(choice.shards)) +
                       " (" + why + ")";
  return choice;
}

int usable_cores()
{
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) {
      return count;
    }
  }
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

ShardCountInputs shard_count_inputs(const std::vector<TestCase>& tests,
                                    const DurationStore& durations, const std::string& suite,
                                    const StackAdmission* admission)
{
  ShardCountInputs inputs;
  inputs.cores = usable_cores();
  inputs.tests = static_cast<int>(tests.size());
  for (const auto& test : tests) {
    inputs.work += test.expected;
    inputs.longest = std::max(inputs.longest, test.expected);
    const auto history = durations.test_history(test.id);
    if (history && history->duration) {
      ++inputs.timed_tests;
    }
  }
  inputs.uses_stacks = admission != nullptr;
  if (admission != nullptr) {
    inputs.memory_budget_bytes = admission->budget_bytes();
    inputs.stack_cost_bytes = admission->stack_cost_bytes();
    // `ready` is measured from the start of `up`, so it is the whole start-up.
    const auto stacks = durations.stack_history(suite);
    if (stacks && stacks->ready.count() > 0) {
      inputs.recorded_stack_start = stacks->ready;
    }
  }
  return inputs;
}

}  // namespace orchestrate
