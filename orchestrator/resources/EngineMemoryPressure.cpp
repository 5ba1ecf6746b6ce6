#include "resources/EngineMemoryPressure.hpp"

#include "core/CatchAll.hpp"

#include <spdlog/spdlog.h>

#include <future>
#include <limits>
#include <vector>

namespace orchestrate {

namespace {

constexpr std::uint64_t k_unknown = std::numeric_limits<std::uint64_t>::max();
// Stats requests in flight at once per sample: each may wait for the engine's once-a-second
// stats refresh, so they go in parallel, a few at a time.
constexpr std::size_t k_parallel_stats_requests = 8;

std::uint64_t containers_memory_use(DockerEngine& engine)
{
  std::vector<std::string> running;
  for (const auto& container : engine.list_containers({})) {
    if (container.state == "running") {
      running.push_back(container.id);
    }
  }
  std::uint64_t total = 0;
  for (std::size_t start = 0; start < running.size(); start += k_parallel_stats_requests) {
    std::vector<std::future<std::optional<std::uint64_t>>> usages;
    for (std::size_t i = start; i < std::min(running.size(), start + k_parallel_stats_requests);
         ++i) {
      usages.push_back(std::async(std::launch::async, [&engine, id = running[i]] {
        return engine.container_memory_usage(id);
      }));
    }
    for (auto& usage : usages) {
      total += usage.get().value_or(0);  // a container gone since the list uses nothing
    }
  }
  return total;
}

}  // namespace

std::optional<std::uint64_t> memory_left(const EngineMemorySample& sample)
{
  if (sample.total_bytes == 0) {
    return std::nullopt;
  }
  return sample.containers_bytes < sample.total_bytes ? sample.total_bytes - sample.containers_bytes
                                                      : 0;
}

std::function<EngineMemorySample()> engine_memory_reader(DockerEngine& engine)
{
  return [&engine, total = std::uint64_t(0)]() mutable {
    if (total == 0) {
      total = engine.memory_total();
    }
    return EngineMemorySample{total, containers_memory_use(engine)};
  };
}

EngineMemoryPressure::EngineMemoryPressure(std::function<EngineMemorySample()> read,
                                           std::string engine_name, std::uint64_t floor_bytes,
                                           Milliseconds interval)
  : m_read(std::move(read)),
    m_engine_name(std::move(engine_name)),
    m_floor_bytes(floor_bytes),
    m_interval(interval),
    m_left(k_unknown)
{
  if (m_interval.count() > 0) {
    m_thread = std::thread([this] { run(); });
  }
}

EngineMemoryPressure::~EngineMemoryPressure()
{
  {
    const std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) {
    m_thread.join();
  }
}

void EngineMemoryPressure::sample() noexcept
{
  try {
    m_left.store(memory_left(m_read()).value_or(k_unknown));
  } catch (...) {
    m_left.store(k_unknown);
    spdlog::debug("engine {}: could not read its memory: {}", m_engine_name,
                  current_exception_message());
  }
  {
    const std::lock_guard lock(m_mutex);
    m_sampled = true;
  }
  m_wake.notify_all();
}

void EngineMemoryPressure::wait_for_first_sample() const
{
  std::unique_lock lock(m_mutex);
  m_wake.wait_for(lock, k_first_sample_wait, [this] { return m_sampled || m_stopping; });
}

void EngineMemoryPressure::run()
{
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    lock.unlock();
    sample();
    lock.lock();
    m_wake.wait_for(lock, m_interval, [this] { return m_stopping; });
  }
}

bool EngineMemoryPressure::below_floor() const
{
  // Asked only for a further stack (the first never waits): judged on a sample, not on "unknown"
  // because the first one (a stats request per container, over ssh a new session) is still on
  // its way.
  if (m_thread.joinable()) {
    wait_for_first_sample();
  }
  const std::uint64_t left = m_left.load();
  return left != k_unknown && left < m_floor_bytes;
}

std::optional<std::uint64_t> EngineMemoryPressure::available_bytes() const
{
  const std::uint64_t left = m_left.load();
  return left == k_unknown ? std::nullopt : std::optional<std::uint64_t>(left);
}

std::uint64_t EngineMemoryPressure::floor_bytes() const
{
  return m_floor_bytes;
}

std::string EngineMemoryPressure::available_name() const
{
  return "engine " + m_engine_name + "'s memory left (MemTotal minus its containers' use)";
}

}  // namespace orchestrate
