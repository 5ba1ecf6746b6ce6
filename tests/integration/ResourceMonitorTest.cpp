#include "docker/DockerEngine.hpp"
#include "docker/ResourceLabels.hpp"
#include "resources/CgroupMemory.hpp"
#include "resources/ResourceMonitor.hpp"
#include "support/DockerTestSupport.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

namespace orchestrate {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* k_image = "orchestrate/busybox:latest";
constexpr std::uint64_t k_mib = 1024 * 1024;

bool eventually(const std::function<bool()>& condition, Milliseconds timeout)
{
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(Milliseconds(200));
  }
  return true;
}

// docker stats' "100.3MiB / 23.54GiB" -> bytes of the first figure.
std::uint64_t docker_stats_usage(const std::string& container)
{
  const std::string text =
    run_docker({"stats", "--no-stream", "--format", "{{.MemUsage}}", container});
  std::size_t unit_start = 0;
  const double value = std::stod(text, &unit_start);
  const std::string unit = text.substr(unit_start, text.find(' ') - unit_start);
  const double scale = unit == "GiB"   ? 1024.0 * k_mib
                       : unit == "MiB" ? k_mib
                       : unit == "KiB" ? 1024.0
                                       : 1.0;
  return static_cast<std::uint64_t>(value * scale);
}

// |a - b| <= fraction * b
bool within(std::uint64_t value, std::uint64_t reference, double fraction)
{
  const double difference = static_cast<double>(value) - static_cast<double>(reference);
  return std::abs(difference) <= fraction * static_cast<double>(reference);
}

// A busybox shell line that holds `mib` MiB: tail keeps its last N bytes while its input stays
// open.
std::string holding(int mib)
{
  const std::string size = std::to_string(mib) + "m";
  return "{ head -c " + size + " /dev/zero; sleep 300; } | tail -c " + size;
}

class ResourceMonitorTest : public testing::Test
{
protected:
  void TearDown() override
  {
    m_cleanup.remove_now();
    const Leftovers left = leftovers_with_label(m_label);
    EXPECT_TRUE(left.empty()) << left.describe();
  }

  // Starts a container of run `run_id` and `shard` running `script`; returns its id.
  std::string run_container(const std::string& run_id,
                            int shard,
                            const std::string& script,
                            const std::vector<std::string>& docker_options = {})
  {
    return run_docker(container_arguments("run", run_id, shard, script, docker_options));
  }

  // `docker run -d` or `docker create` arguments for such a container.
  std::vector<std::string> container_arguments(const std::string& command,
                                               const std::string& run_id,
                                               int shard,
                                               const std::string& script,
                                               const std::vector<std::string>& docker_options = {}) const
  {
    std::vector<std::string> arguments{command};
    if (command == "run") {
      arguments.push_back("-d");
    }
    arguments.insert(arguments.end(), docker_options.begin(), docker_options.end());
    for (const std::string& label : {m_label, label_filter(labels::k_run, run_id),
                                     label_filter(labels::k_shard, std::to_string(shard))}) {
      arguments.insert(arguments.end(), {"--label", label});
    }
    arguments.insert(arguments.end(), {k_image, "sh", "-c", script});
    return arguments;
  }

  // Waits until the engine reports at least `bytes` for the container (filling takes a moment).
  void wait_for_usage(const std::string& id, std::uint64_t bytes)
  {
    std::optional<std::uint64_t> usage;
    ASSERT_TRUE(eventually(
      [&] {
        usage = m_engine.container_memory_usage(id);
        return usage && *usage >= bytes;
      },
      Milliseconds(30'000)))
      << "usage: " << (usage ? *usage : 0);
  }

  std::string m_id = unique_test_id();
  std::string m_label = "io.orchestrate.test=" + m_id;
  std::string m_run_id = "run-" + m_id;
  DockerCleanup m_cleanup{m_label};
  DockerEngine m_engine;
};

TEST_F(ResourceMonitorTest, PeakOfAContainerHolding100MiBAgreesWithDockerStats)
{
  const std::string big = run_container(m_run_id, 1, holding(100));
  run_container(m_run_id, 2, "sleep 300");
  // Another run's container: the monitor must not count it.
  run_container("other-" + m_id, 1, holding(50));
  wait_for_usage(big, 95 * k_mib);

  ResourceMonitorOptions options;
  options.run_id = m_run_id;
  auto monitor = std::make_unique<ResourceMonitor>(m_engine, options);
  ASSERT_TRUE(eventually([&] { return monitor->container_samples() >= 3; }, Milliseconds(15'000)));

  const std::uint64_t cli = docker_stats_usage(big);
  const std::uint64_t peak = monitor->peak_for_shard(1);
  EXPECT_TRUE(within(peak, 100 * k_mib, 0.10)) << "peak " << peak;
  // The same cgroup numbers as docker stats, computed the same way: only the moment differs
  // (and docker stats rounds to 0.1 MiB).
  EXPECT_TRUE(within(peak, cli, 0.03)) << "peak " << peak << ", docker stats " << cli;
  EXPECT_GT(monitor->peak_for_shard(2), 0u);
  EXPECT_LT(monitor->peak_for_shard(2), 10 * k_mib);
  EXPECT_GE(monitor->peak_total(), peak);
  EXPECT_LT(monitor->peak_total(), peak + 10 * k_mib);
  EXPECT_EQ(monitor->peaks_by_shard().size(), 2u);
  ASSERT_TRUE(monitor->min_available());
  EXPECT_GT(*monitor->min_available(), 0u);
  // Where this machine's cgroup files are found, no reading needs the Engine API.
  if (CgroupMemory().container_usage(big)) {
    EXPECT_EQ(monitor->engine_stats_readings(), 0);
  }
  std::cout << "  peak " << peak / k_mib << " MiB (docker stats " << cli / k_mib
            << " MiB), slowest sample of 2 containers "
            << monitor->slowest_container_sample().count() << " ms, "
            << monitor->engine_stats_readings() << " readings through the Engine API\n";

  const auto start = Clock::now();
  monitor.reset();
  const auto stop_time = std::chrono::duration_cast<Milliseconds>(Clock::now() - start);
  std::cout << "  monitor stopped in " << stop_time.count() << " ms\n";
  // At most the sample in flight: a list call and a few file reads (measured 0 ms; the bound
  // leaves room for a loaded machine).
  EXPECT_LT(stop_time, Milliseconds(2000));
}

TEST_F(ResourceMonitorTest, SharedMemoryCountsAsDockerStatsCountsIt)
{
  // Shared memory (PostgreSQL's shared_buffers, files in /dev/shm) is page cache to the kernel, but
  // not inactive file cache: docker stats counts it, and so must the monitor.
  const std::string id = run_container(
    m_run_id, 1, "head -c 100m /dev/zero > /dev/shm/fill; sleep 300", {"--shm-size", "128m"});
  CgroupMemory cgroups;
  std::optional<std::uint64_t> usage;
  ASSERT_TRUE(eventually(
    [&] {
      usage = cgroups.container_usage(id);
      return usage && *usage >= 95 * k_mib;
    },
    Milliseconds(30'000)))
    << "no cgroup file for the container, or usage " << (usage ? *usage : 0);

  ResourceMonitorOptions options;
  options.run_id = m_run_id;
  ResourceMonitor monitor(m_engine, options);
  ASSERT_TRUE(eventually([&] { return monitor.container_samples() >= 2; }, Milliseconds(15'000)));
  const std::uint64_t cli = docker_stats_usage(id);
  usage = cgroups.container_usage(id);
  ASSERT_TRUE(usage);
  EXPECT_TRUE(within(*usage, cli, 0.03)) << "cgroup " << *usage << ", docker stats " << cli;
  EXPECT_TRUE(within(monitor.peak_for_shard(1), cli, 0.03))
    << "peak " << monitor.peak_for_shard(1) << ", docker stats " << cli;
}

TEST_F(ResourceMonitorTest, APeakOfAboutASecondIsSeen)
{
  ResourceMonitorOptions options;
  options.run_id = m_run_id;
  ResourceMonitor monitor(m_engine, options);
  // 120 MiB held for about a second, three times, then a small steady state.
  const std::string id = run_container(
    m_run_id, 1,
    "for i in 1 2 3; do { head -c 120m /dev/zero; sleep 1; } | tail -c 120m >/dev/null; sleep 2; "
    "done; sleep 300");
  ASSERT_TRUE(eventually([&] { return monitor.peak_for_shard(1) >= 110 * k_mib; },
                         Milliseconds(30'000)))
    << "peak " << monitor.peak_for_shard(1) / k_mib << " MiB after "
    << monitor.container_samples() << " samples";
  std::cout << "  peak " << monitor.peak_for_shard(1) / k_mib << " MiB\n";
}

TEST_F(ResourceMonitorTest, WithoutCgroupFilesTheEngineStatsAreTheFallback)
{
  const std::string big = run_container(m_run_id, 1, holding(100));
  wait_for_usage(big, 95 * k_mib);
  TempDir empty_cgroup_root;
  ResourceMonitorOptions options;
  options.run_id = m_run_id;
  options.cgroup_root = empty_cgroup_root.path();
  ResourceMonitor monitor(m_engine, options);
  ASSERT_TRUE(eventually([&] { return monitor.container_samples() >= 2; }, Milliseconds(15'000)));
  EXPECT_TRUE(within(monitor.peak_for_shard(1), 100 * k_mib, 0.15))
    << "peak " << monitor.peak_for_shard(1);
  EXPECT_GE(monitor.engine_stats_readings(), 2);
}

TEST_F(ResourceMonitorTest, TwentyContainersAreSampledSeveralTimesASecond)
{
  // Created one by one, started by one command: quicker than 20 `docker run`s.
  std::vector<std::string> start{"start"};
  for (int shard = 1; shard <= 10; ++shard) {
    for (int service = 0; service < 2; ++service) {
      start.push_back(run_docker(container_arguments("create", m_run_id, shard, "sleep 300")));
    }
  }
  run_docker(start);
  ResourceMonitorOptions options;
  options.run_id = m_run_id;
  ResourceMonitor monitor(m_engine, options);
  ASSERT_TRUE(eventually([&] { return monitor.peaks_by_shard().size() == 10u; },
                         Milliseconds(20'000)));
  const int samples_before = monitor.container_samples();
  std::this_thread::sleep_for(Milliseconds(3000));
  const int samples = monitor.container_samples() - samples_before;
  std::cout << "  " << samples << " samples of 20 containers in 3 s, slowest "
            << monitor.slowest_container_sample().count() << " ms\n";
  // 12 at the 250 ms interval. Engine API stats calls made ~3 (each waits for the engine's
  // once-a-second refresh); half the nominal rate leaves room for a loaded machine.
  EXPECT_GE(samples, 6);
  // Measured 13 ms; a sample that waited for the engine's stats refresh would take ~1 s.
  EXPECT_LT(monitor.slowest_container_sample(), Milliseconds(900));
}

}  // namespace
}  // namespace orchestrate
