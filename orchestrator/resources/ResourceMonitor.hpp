#pragma once

#include "core/Quantities.hpp"
#include "docker/DockerEngine.hpp"
#include "resources/CgroupMemory.hpp"
#include "resources/MemInfo.hpp"
#include "resources/MemoryPeaks.hpp"
#include "resources/MemoryPressure.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace orchestrate {

struct ResourceMonitorOptions
{
  // Containers labelled io.orchestrate.run=<run_id> are sampled; empty: only the host's memory.
  std::string run_id;
  // below_floor() is true while MemAvailable is under this; 0: never.
  std::uint64_t memory_floor_bytes = 0;
  // How often MemAvailable is read and the run's containers are sampled (each from the start of
  // one sample to the start of the next). A cgroup sample costs one container list call and two
  // file reads per container (a few ms), so 250 ms catches short peaks; a sample that needs the
  // Engine API fallback takes up to ~1 s and is followed by the next at once.
  Milliseconds interval{250};
  // At most this many Engine API stats calls at once, for containers whose cgroup files are not
  // found (see ResourceMonitor).
  int max_parallel_stats_calls = 24;
  // Called each time MemAvailable drops below the floor (after being at or above it), with
  // MemAvailable in bytes: on the monitor's thread, or on the constructor's when the host is
  // already below the floor at start. Must not block for long; what it throws is logged.
  std::function<void(std::uint64_t)> on_below_floor;
  // Called after each container sample with each shard's memory use in bytes, on the monitor's
  // thread (for the run's timeline). Must not block for long; what it throws is logged.
  std::function<void(const std::map<int, std::uint64_t>&)> on_sample;
  std::filesystem::path meminfo_path = k_proc_meminfo;
  // Where the cgroup hierarchies are mounted (see CgroupMemory).
  std::filesystem::path cgroup_root = k_cgroup_root;
};

// Watches a run's memory in the background: the memory use of each running container of the run,
// summed per shard (label io.orchestrate.shard), and the host's MemAvailable (/proc/meminfo).
// Keeps the peak per shard, the peak total (the sum at one sample time) and the lowest
// MemAvailable, and answers MemoryPressure for StackAdmission.
//
// Container memory is read from each container's cgroup files (CgroupMemory): what `docker stats`
// shows as MEM USAGE, with no process spawned and no API call per container. Which containers
// belong to the run comes from one Engine API list call per sample (filtered by the run label).
// Only a container whose cgroup files are not found (a rootless engine, another cgroup layout) is
// measured with a one-shot Engine API stats call (DockerEngine::container_memory_usage); those
// calls wait for the engine's once-a-second stats refresh, so they run in parallel (up to
// max_parallel_stats_calls) and such a sample takes up to ~1 s. MemAvailable is read every
// `interval` on its own thread, so a slow sample never delays the pressure signal.
//
// RAII: the constructor starts the threads (and reads MemAvailable once before returning); the
// destructor stops and joins them: it waits at most for a sample in flight (a few ms with cgroup
// files; with the API fallback, the stats calls in flight, < ~1 s). Engine errors are logged at
// debug and the sample skipped; the monitor never throws after construction. All getters are
// thread-safe.
class ResourceMonitor : public MemoryPressure
{
public:
  // `engine` is copied (copies share the negotiated API version). Throws nothing but
  // std::system_error if a thread cannot be started.
  ResourceMonitor(const DockerEngine& engine, ResourceMonitorOptions options);
  ~ResourceMonitor() override;

  ResourceMonitor(const ResourceMonitor&) = delete;
  ResourceMonitor& operator=(const ResourceMonitor&) = delete;

  // The highest memory use in bytes of `shard`'s containers together in one sample; 0 if never
  // seen.
  std::uint64_t peak_for_shard(int shard) const;
  // Every shard seen, with its peak.
  std::map<int, std::uint64_t> peaks_by_shard() const;
  // The highest sum over all of the run's containers in one sample.
  std::uint64_t peak_total() const;
  // The lowest MemAvailable read; nullopt if /proc/meminfo could not be read.
  std::optional<std::uint64_t> min_available() const;
  // How many container samples were completed, and the slowest one (for reports and tuning).
  int container_samples() const;
  Milliseconds slowest_container_sample() const;
  // How many container readings came from the Engine API because no cgroup file was found (0
  // where every container's cgroup is read directly).
  int engine_stats_readings() const;

  // MemoryPressure: from the last MemAvailable read.
  bool below_floor() const override;
  std::optional<std::uint64_t> available_bytes() const override;
  std::uint64_t floor_bytes() const override;

private:
  void sample_host();
  void sample_containers();
  // Engine API stats for `containers` (in parallel); nullopt where a call failed.
  std::vector<std::optional<std::uint64_t>>
  engine_memory_usage(const std::vector<ContainerSummary>& containers);
  void host_loop();
  void container_loop();
  // Waits until `deadline` or stop; returns false when stopping.
  bool wait_until(std::chrono::steady_clock::time_point deadline);

  DockerEngine m_engine;
  ResourceMonitorOptions m_options;

  static constexpr std::uint64_t k_unknown = ~std::uint64_t(0);
  std::atomic<std::uint64_t> m_available{k_unknown};
  std::atomic<std::uint64_t> m_min_available{k_unknown};
  bool m_was_below_floor = false;  // host thread only

  mutable std::mutex m_peaks_mutex;
  MemoryPeaks m_peaks;
  Milliseconds m_slowest_sample{0};
  int m_engine_stats_readings = 0;

  CgroupMemory m_cgroups;  // container thread only

  std::mutex m_stop_mutex;
  std::condition_variable m_stop_requested;
  std::atomic<bool> m_stopping{false};

  // Last: started once everything above exists, joined first.
  std::thread m_host_thread;
  std::thread m_container_thread;
};

}  // namespace orchestrate
