#pragma once

#include "core/Quantities.hpp"
#include "docker/DockerEngine.hpp"
#include "resources/MemoryPressure.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace orchestrate {

// What the Engine API tells of an engine's memory (docs/scale-out.md, "Placement"): the API has
// no MemAvailable of the engine's host, so the memory left is its MemTotal minus what its running
// containers use.
struct EngineMemorySample
{
  std::uint64_t total_bytes = 0;       // GET /info: MemTotal; 0 when not reported
  std::uint64_t containers_bytes = 0;  // the sum of its running containers' memory use
};

// total - containers (0 when they use it all); nullopt when the total is unknown.
std::optional<std::uint64_t> memory_left(const EngineMemorySample& sample);

// Reads samples of `engine`: MemTotal once (it does not change), then on every call the running
// containers of the engine (every one, ours or not: they all take the host's memory), each with a
// one-shot stats request (DockerEngine::container_memory_usage, as `docker stats` counts), a few
// in parallel. Throws what DockerEngine throws. `engine` must outlive the reader.
std::function<EngineMemorySample()> engine_memory_reader(DockerEngine& engine);

// The MemAvailable floor (`--memory-floor`) for an engine after the main one: StackAdmission holds
// back a further stack there while the engine's memory left is below the floor (the first stack
// on it never waits). Samples on its own thread every `interval` (none with an interval of 0:
// then only sample() reads), so admission's checks cost nothing once it has one; the first check
// waits for the thread's first sample (at most 10 s). While sampling fails the memory left is
// unknown and holds nothing back.
class EngineMemoryPressure : public MemoryPressure
{
public:
  EngineMemoryPressure(std::function<EngineMemorySample()> read, std::string engine_name,
                       std::uint64_t floor_bytes, Milliseconds interval);
  ~EngineMemoryPressure() override;

  EngineMemoryPressure(const EngineMemoryPressure&) = delete;
  EngineMemoryPressure& operator=(const EngineMemoryPressure&) = delete;

  // Reads one sample now. Never throws (a failure makes the memory left unknown).
  void sample() noexcept;

  bool below_floor() const override;
  std::optional<std::uint64_t> available_bytes() const override;
  std::uint64_t floor_bytes() const override;
  std::string available_name() const override;

private:
  void run();
  // Blocks until the first sample is in (at most k_first_sample_wait).
  void wait_for_first_sample() const;

  static constexpr Milliseconds k_first_sample_wait{10'000};

  std::function<EngineMemorySample()> m_read;
  std::string m_engine_name;
  std::uint64_t m_floor_bytes;
  Milliseconds m_interval;
  std::atomic<std::uint64_t> m_left;
  mutable std::mutex m_mutex;
  mutable std::condition_variable m_wake;
  bool m_stopping = false;
  bool m_sampled = false;
  std::thread m_thread;
};

}  // namespace orchestrate
