#include "run/PrewarmedShardFactory.hpp"

#include "core/CatchAll.hpp"

#include <spdlog/spdlog.h>

namespace orchestrate {

PrewarmedShardFactory::PrewarmedShardFactory(ShardSessionFactory& inner, int early_shards)
  : m_inner(inner)
{
  for (int shard = 1; shard <= early_shards; ++shard) {
    std::promise<std::unique_ptr<ShardSession>> opened;
    m_opening.emplace(shard, opened.get_future());
    m_threads.emplace_back([this, shard, opened = std::move(opened)]() mutable {
      try {
        opened.set_value(m_inner.open(shard));
      } catch (...) {
        opened.set_exception(std::current_exception());
      }
      std::unique_lock lock(m_mutex);
      m_released.wait(lock, [this] { return m_ending; });
    });
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
  {
    std::lock_guard lock(m_mutex);
    m_ending = true;
  }
  m_released.notify_all();
  for (auto& thread : m_threads) {
    thread.join();
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
