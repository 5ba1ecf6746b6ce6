#include "scheduling/ShardSession.hpp"

#include "process/SignalState.hpp"

namespace orchestrate {

namespace {

// Runners without a persistent process start one per batch (milliseconds for gtest and
// commands): a few tests per batch keep the shards balanced to within a few short tests.
constexpr std::size_t k_feed_batch_size = 4;

}  // namespace

void ShardSession::run_tests(TestFeed& feed)
{
  while (!should_stop_children()) {
    TestBatch batch;
    while (batch.size() < k_feed_batch_size) {
      auto test = feed.next();
      if (!test) {
        break;
      }
      batch.push_back(std::move(*test));
    }
    if (batch.empty()) {
      return;
    }
    for (auto& result : run_batch(batch)) {
      feed.finished(std::move(result));
    }
    feed.give_back(take_requeued());
  }
}

}  // namespace orchestrate
