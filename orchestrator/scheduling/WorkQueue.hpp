#pragma once

#include "scheduling/TestCase.hpp"

#include <mutex>
#include <optional>
#include <vector>

namespace orchestrate {

// Where shards take their next tests from, one at a time (a shard's feed,
// scheduling/TestFeed.hpp, asks when its runner is ready for more). Thread-safe.
//
// Static: each shard has its own fixed list (a plan), in order.
// Dynamic: one shared queue, longest expected test first, for whichever shard asks: the longest
// tests spread over the shards and the tail is made of the shortest ones.
class WorkQueue
{
public:
  static WorkQueue make_static(std::vector<TestBatch> per_shard);
  static WorkQueue make_dynamic(std::vector<TestCase> tests, int shard_count);

  WorkQueue(WorkQueue&& other) noexcept;

  // Expected work ahead of a test in its runner from which take_one() hands out the shortest test
  // left instead of the longest.
  static constexpr Milliseconds k_work_ahead_for_shortest{200};

  // The next test for `shard` (1-based): the longest left (dynamic) or the next of its own list
  // (static); nullopt when there is none or the queue was stopped. `work_ahead` is the expected
  // work the shard's runner holds before it would start this test (a persistent worker runs a test
  // only once it knows the next, so it always holds one behind the running one). A dynamic queue
  // hands out its shortest test instead when the work ahead is k_work_ahead_for_shortest or more
  // and, with the longest, more than a shard's fair part of what is left (the expected time left
  // in the queue over the shard count): a long test held behind another long one waits while a
  // shard that is free sooner could run it, and the shards end apart (a 2 s test and then a 1.1 s
  // one in one shard of the integration suite). While plenty is left, longest first holds, and
  // the short tests stay for the end, where they even the shards out.
  std::optional<TestCase> take_one(int shard, Milliseconds work_ahead = Milliseconds(0));

  // Hands `tests` out again (a shard's stack died under them, its worker died before starting
  // them): before everything else, in the dynamic queue for any shard, in the static plan for the
  // same shard. Returns false, taking nothing, once the queue was stopped.
  bool requeue(int shard, const std::vector<TestCase>& tests);

  // Stops handing out work (-x, --maxfail, interrupt). Returns what was never handed out.
  std::vector<TestCase> stop();

  bool stopped() const;

  // Dynamic: whether more than `shards` tests are left to hand out. Static: whether `shard`'s own
  // list holds any (no other shard takes from it).
  bool holds_more_than(int shards, int shard) const;

  // Everything not handed out yet.
  std::vector<TestCase> remaining() const;

private:
  WorkQueue() = default;

  // Static: `shard`'s own list when it still holds tests, else null. Needs m_mutex held.
  TestBatch* own_tests_left(int shard);

  mutable std::mutex m_mutex;
  bool m_dynamic = false;
  bool m_stopped = false;
  int m_shard_count = 1;
  std::vector<TestBatch> m_per_shard;  // static
  std::vector<TestCase> m_shared;      // dynamic, longest first
  std::size_t m_next = 0;              // dynamic: index of the next test to hand out
  Milliseconds m_expected_left{0};     // dynamic: the expected time of the tests not handed out
};

}  // namespace orchestrate
