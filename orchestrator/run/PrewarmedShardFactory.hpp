#pragma once

#include "scheduling/ShardSession.hpp"

#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace orchestrate {

// Opens the first shards before the scheduler asks for them, so that their stacks come up (and
// their pytest workers collect) while the tests are still being collected and selected. The
// scheduler later gets those sessions from open(); any other shard is opened when asked.
// A session opened early but never asked for (fewer tests than shards, a failed collection, an
// interrupt) is torn down by the destructor, which first waits for its opening to finish.
//
// Each early opening runs on a thread that lives until the factory is destroyed: the kernel's
// parent-death signal (PR_SET_PDEATHSIG, which ChildProcess sets) fires when the *thread* that
// started a child ends, so a worker started while opening would be killed with a short-lived
// thread. The factory outlives the scheduler and so every session.
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
  std::condition_variable m_released;
  bool m_ending = false;
  std::map<int, std::future<std::unique_ptr<ShardSession>>> m_opening;
  std::vector<std::thread> m_threads;
};

}  // namespace orchestrate
