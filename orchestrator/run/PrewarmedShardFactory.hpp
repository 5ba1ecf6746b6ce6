#pragma once

#include "scheduling/ShardSession.hpp"

#include <future>
#include <map>
#include <memory>
#include <mutex>

namespace orchestrate {

// Opens the first shards before the scheduler asks for them, so that their stacks come up while
// the tests are still being collected (collection has nothing to do with the stacks). The
// scheduler later gets those sessions from open(); any other shard is opened when asked.
// A session opened early but never asked for (fewer tests than shards, a failed collection, an
// interrupt) is torn down by the destructor, which first waits for its opening to finish.
class PrewarmedShardFactory : public ShardSessionFactory
{
public:
  // Starts opening shards 1..`early_shards` of `inner` now, each on its own thread.
  PrewarmedShardFactory(ShardSessionFactory& inner, int early_shards);
  ~PrewarmedShardFactory() override;

  PrewarmedShardFactory(const PrewarmedShardFactory&) = delete;
  PrewarmedShardFactory& operator=(const PrewarmedShardFactory&) = delete;

  // The session opened early for `shard` (waiting for it; rethrows what its opening threw), or a
  // new one from `inner`.
  std::unique_ptr<ShardSession> open(int shard) override;

private:
  ShardSessionFactory& m_inner;
  std::mutex m_mutex;
  std::map<int, std::future<std::unique_ptr<ShardSession>>> m_opening;
};

}  // namespace orchestrate
