#include "run/PrewarmedShardFactory.hpp"

#include "core/CatchAll.hpp"

#include <spdlog/spdlog.h>

namespace orchestrate {

PrewarmedShardFactory::PrewarmedShardFactory(ShardSessionFactory& inner, int early_shards)
  : m_inner(inner)
{
  for (int shard = 1; shard <= early_shards; ++shard) {
    m_opening.emplace(shard, std::async(std::launch::async, [this, shard] {
                        return m_inner.open(shard);
                      }));
  }
}

PrewarmedShardFactory::~PrewarmedShardFactory()
{
  for (auto& [shard, opening] : m_opening) {
    try {
      opening.get();  // the session it returns is destroyed at once: its stack is torn down
      spdlog::debug("shard {} was opened early but not needed; torn down", shard);
    } catch (...) {
      // A destructor: nothing may escape, whatever the opening threw.
      spdlog::debug("shard {} opened early failed: {}", shard, current_exception_message());
    }
  }
}

std::unique_ptr<ShardSession> PrewarmedShardFactory::open(int shard)
{
  std::future<std::unique_ptr<ShardSession>> opening;
  {
    std::lock_guard lock(m_mutex);
    const auto early = m_opening.find(shard);
    if (early != m_opening.end()) {
      opening = std::move(early->second);
      m_opening.erase(early);
    }
  }
  return opening.valid() ? opening.get() : m_inner.open(shard);
}

}  // namespace orchestrate
