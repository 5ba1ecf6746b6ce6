#pragma once

#include "scheduling/TestCase.hpp"

#include <mutex>
#include <optional>
#include <vector>

namespace orchestrate {

// Where shards take their next batch from. Thread-safe.
//
// Static: each shard has its own fixed list (a plan), handed out in one batch.
// Dynamic: one shared queue, longest expected test first; each take hands out a batch carrying
// about remaining expected time / (2 * shards), so no shard idles while work remains, the longest
// tests spread over the shards, and the long tail is short. A batch also holds at least `min_batch_time` of expected
// work (while that much remains, and at most total / shards, so every shard gets work), because
// each batch pays a runner start-up (pytest imports): single-test batches would spend more time
// starting runners than running tests.
class WorkQueue
{
public:
  static WorkQueue make_static(std::vector<TestBatch> per_shard);
  static WorkQueue make_dynamic(std::vector<TestCase> tests, int shard_count, int max_batch_size,
                                Milliseconds min_batch_time = Milliseconds(0));

  WorkQueue(WorkQueue&& other) noexcept;

  // The next batch for `shard` (1-based), or nullopt when there is none or the queue was stopped.
  std::optional<TestBatch> take(int shard);

  // The next single test for `shard`: the longest left (dynamic) or the next of its own list
  // (static); nullopt when there is none or the queue was stopped. For shards whose runner is
  // fed test by test.
  std::optional<TestCase> take_one(int shard);

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
  int m_max_batch_size = 1;
  Milliseconds m_min_batch_time{0};
  std::vector<TestBatch> m_per_shard;  // static
  std::vector<TestCase> m_shared;      // dynamic, longest first
  std::size_t m_next = 0;              // dynamic: index of the next test to hand out
};

}  // namespace orchestrate
