#include "resources/ResourceMonitor.hpp"

#include "core/CatchAll.hpp"
#include "core/Error.hpp"
#include "docker/ResourceLabels.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <exception>
#include <set>
#include <system_error>
#include <thread>
#include <vector>

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

// The shard a container belongs to; 0 when it has no (valid) shard label.
int shard_of(const ContainerSummary& container)
{
  const auto label = container.labels.find(labels::k_shard);
  if (label == container.labels.end()) {
    return 0;
  }
  int shard = 0;
  const std::string& text = label->second;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), shard);
  return error == std::errc() && end == text.data() + text.size() ? shard : 0;
}

}  // namespace

ResourceMonitor::ResourceMonitor(const DockerEngine& engine, ResourceMonitorOptions options)
  : m_engine(engine),
    m_options(std::move(options)),
    m_cgroups(m_options.cgroup_root)
{
  m_options.max_parallel_stats_calls = std::max(1, m_options.max_parallel_stats_calls);
  // Callers may ask below_floor() right away.
  sample_host();
  m_host_thread = std::thread([this] { host_loop(); });
  if (!m_options.run_id.empty()) {
    try {
      m_container_thread = std::thread([this] { container_loop(); });
    } catch (...) {
      m_stopping = true;
      m_stop_requested.notify_all();
      m_host_thread.join();
      throw;
    }
  }
}

ResourceMonitor::~ResourceMonitor()
{
  {
    // Under the mutex, so a thread between checking m_stopping and waiting cannot miss the wakeup.
    std::lock_guard lock(m_stop_mutex);
    m_stopping = true;
  }
  m_stop_requested.notify_all();
  const auto start = Clock::now();
  for (std::thread* thread : {&m_host_thread, &m_container_thread}) {
    if (thread->joinable()) {
      thread->join();
    }
  }
  spdlog::debug("resource monitor stopped in {} ms",
                std::chrono::duration_cast<Milliseconds>(Clock::now() - start).count());
}

std::uint64_t ResourceMonitor::peak_for_shard(int shard) const
{
  std::lock_guard lock(m_peaks_mutex);
  return m_peaks.peak_for_shard(shard);
}

std::map<int, std::uint64_t> ResourceMonitor::peaks_by_shard() const
{
  std::lock_guard lock(m_peaks_mutex);
  return m_peaks.peaks_by_shard();
}

std::uint64_t ResourceMonitor::peak_total() const
{
  std::lock_guard lock(m_peaks_mutex);
  return m_peaks.peak_total();
}

std::optional<std::uint64_t> ResourceMonitor::min_available() const
{
  const std::uint64_t minimum = m_min_available;
  return minimum == k_unknown ? std::nullopt : std::optional<std::uint64_t>(minimum);
}

int ResourceMonitor::container_samples() const
{
  std::lock_guard lock(m_peaks_mutex);
  return m_peaks.samples();
}

Milliseconds ResourceMonitor::slowest_container_sample() const
{
  std::lock_guard lock(m_peaks_mutex);
  return m_slowest_sample;
}

int ResourceMonitor::engine_stats_readings() const
{
  std::lock_guard lock(m_peaks_mutex);
  return m_engine_stats_readings;
}

bool ResourceMonitor::below_floor() const
{
  const std::uint64_t available = m_available;
  return available != k_unknown && available < m_options.memory_floor_bytes;
}

std::optional<std::uint64_t> ResourceMonitor::available_bytes() const
{
  const std::uint64_t available = m_available;
  return available == k_unknown ? std::nullopt : std::optional<std::uint64_t>(available);
}

std::uint64_t ResourceMonitor::floor_bytes() const
{
  return m_options.memory_floor_bytes;
}

bool ResourceMonitor::wait_until(Clock::time_point deadline)
{
  std::unique_lock lock(m_stop_mutex);
  return !m_stop_requested.wait_until(lock, deadline, [this] { return m_stopping.load(); });
}

void ResourceMonitor::host_loop()
{
  while (wait_until(Clock::now() + m_options.interval)) {
    // A failed sample is logged and the next one tried: an exception must not leave this thread.
    run_catching_all("resource monitor: host memory sample", [this] { sample_host(); });
  }
}

void ResourceMonitor::sample_host()
{
  const std::optional<std::uint64_t> available = read_mem_available(m_options.meminfo_path);
  if (!available) {
    return;
  }
  m_available = *available;
  // Only this thread (and the constructor, before it starts) writes the minimum.
  m_min_available = std::min(m_min_available.load(), *available);
  const bool below = below_floor();
  if (below && !m_was_below_floor && m_options.on_below_floor) {
    try {
      m_options.on_below_floor(*available);
    } catch (...) {
      spdlog::debug("resource monitor: on_below_floor threw: {}", current_exception_message());
    }
  }
  m_was_below_floor = below;
}

void ResourceMonitor::container_loop()
{
  auto next = Clock::now();
  do {
    run_catching_all("resource monitor: container sample", [this] { sample_containers(); });
    // The interval runs from the start of a sample; a slow sample is followed by the next at once.
    next += m_options.interval;
    next = std::max(next, Clock::now());
  } while (wait_until(next));
}

void ResourceMonitor::sample_containers()
{
  const auto start = Clock::now();
  std::vector<ContainerSummary> running;
  try {
    for (ContainerSummary& container :
         m_engine.list_containers({label_filter(labels::k_run, m_options.run_id)})) {
      if (container.state == "running") {
        running.push_back(std::move(container));
      }
    }
  } catch (const std::exception& error) {
    spdlog::debug("resource monitor: cannot list the run's containers: {}", error.what());
    return;
  }

  std::set<std::string> running_ids;
  std::map<int, std::uint64_t> by_shard;
  std::vector<ContainerSummary> without_cgroup;
  for (ContainerSummary& container : running) {
    running_ids.insert(container.id);
    if (const auto usage = m_cgroups.container_usage(container.id)) {
      by_shard[shard_of(container)] += *usage;
    } else {
      without_cgroup.push_back(std::move(container));
    }
  }
  m_cgroups.forget_all_but(running_ids);

  if (!without_cgroup.empty()) {
    const std::vector<std::optional<std::uint64_t>> usage = engine_memory_usage(without_cgroup);
    if (m_stopping) {
      return;  // a partial sample would understate the total
    }
    for (std::size_t i = 0; i < without_cgroup.size(); ++i) {
      if (usage[i]) {
        by_shard[shard_of(without_cgroup[i])] += *usage[i];
      }
    }
  }

  const auto took = std::chrono::duration_cast<Milliseconds>(Clock::now() - start);
  {
    std::lock_guard lock(m_peaks_mutex);
    m_peaks.record(by_shard);
    m_slowest_sample = std::max(m_slowest_sample, took);
    m_engine_stats_readings += static_cast<int>(without_cgroup.size());
  }
  if (m_options.on_sample) {
    try {
      m_options.on_sample(by_shard);
    } catch (const std::exception& error) {
      spdlog::debug("resource monitor: the sample callback failed: {}", error.what());
    }
  }
}

std::vector<std::optional<std::uint64_t>>
ResourceMonitor::engine_memory_usage(const std::vector<ContainerSummary>& containers)
{
  // Each call waits for the engine's next stats refresh (once a second, all containers at once):
  // made one after another, 20 containers would take 20 s; in parallel about 1 s.
  std::vector<std::optional<std::uint64_t>> usage(containers.size());
  std::atomic<std::size_t> next_index{0};
  const auto measure = [&] {
    for (std::size_t i = next_index++; i < containers.size() && !m_stopping; i = next_index++) {
      try {
        usage[i] = m_engine.container_memory_usage(containers[i].id);
      } catch (...) {
        spdlog::debug("resource monitor: no stats for {}: {}", containers[i].name,
                      current_exception_message());
      }
    }
  };
  const std::size_t callers = std::min<std::size_t>(
    containers.size(), static_cast<std::size_t>(m_options.max_parallel_stats_calls));
  std::vector<std::thread> threads;
  try {
    // This thread is the first caller.
    for (std::size_t i = 1; i < callers; ++i) {
      threads.emplace_back(measure);
    }
  } catch (const std::system_error& error) {
    spdlog::debug("resource monitor: fewer stats threads: {}", error.what());
  }
  measure();
  for (std::thread& thread : threads) {
    thread.join();
  }
  return usage;
}

}  // namespace orchestrate
