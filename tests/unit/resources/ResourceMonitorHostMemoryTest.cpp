#include "resources/ResourceMonitor.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace orchestrate {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::uint64_t k_kib = 1024;
constexpr std::uint64_t k_mib = 1024 * k_kib;

// No Docker here: the monitor gets a fake /proc/meminfo and, where it samples containers, an
// engine socket that does not exist.
class ResourceMonitorHostMemoryTest : public testing::Test
{
protected:
  // Replaces the fake meminfo atomically, so the monitor never reads half a file.
  void write_available(std::uint64_t kib)
  {
    const auto partial = m_dir.path() / "meminfo.partial";
    std::ofstream(partial) << "MemTotal: 8000000 kB\nMemAvailable: " << kib << " kB\n";
    std::filesystem::rename(partial, meminfo());
  }

  std::filesystem::path meminfo() const
  {
    return m_dir.path() / "meminfo";
  }

  ResourceMonitorOptions options(std::uint64_t floor_bytes)
  {
    ResourceMonitorOptions result;
    result.memory_floor_bytes = floor_bytes;
    result.interval = milliseconds(50);
    result.meminfo_path = meminfo();
    return result;
  }

  static bool eventually(const std::function<bool()>& condition)
  {
    const auto deadline = Clock::now() + milliseconds(3000);
    while (!condition()) {
      if (Clock::now() > deadline) {
        return false;
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    return true;
  }

  TempDir m_dir;
  DockerEngine m_absent_engine{"unix:///nonexistent-orchestrate-test.sock"};
};

TEST_F(ResourceMonitorHostMemoryTest, BelowFloorFollowsMemAvailableAndTheMinimumIsKept)
{
  write_available(1000);
  std::mutex calls_mutex;
  std::vector<std::uint64_t> calls;
  ResourceMonitorOptions monitor_options = options(2 * k_mib);
  monitor_options.on_below_floor = [&](std::uint64_t available) {
    std::lock_guard lock(calls_mutex);
    calls.push_back(available);
  };
  ResourceMonitor monitor(m_absent_engine, monitor_options);

  // Measured before the constructor returns.
  EXPECT_TRUE(monitor.below_floor());
  EXPECT_EQ(monitor.available_bytes(), 1000 * k_kib);
  EXPECT_EQ(monitor.floor_bytes(), 2 * k_mib);

  write_available(4096);
  EXPECT_TRUE(eventually([&] { return !monitor.below_floor(); }));
  EXPECT_EQ(monitor.available_bytes(), 4096 * k_kib);

  write_available(1500);
  EXPECT_TRUE(eventually([&] { return monitor.below_floor(); }));
  EXPECT_EQ(monitor.min_available(), 1000 * k_kib);
  std::lock_guard lock(calls_mutex);
  EXPECT_EQ(calls, (std::vector<std::uint64_t>{1000 * k_kib, 1500 * k_kib}));
}

TEST_F(ResourceMonitorHostMemoryTest, NoFloorIsNeverBelowIt)
{
  write_available(1);
  ResourceMonitor monitor(m_absent_engine, options(0));
  EXPECT_FALSE(monitor.below_floor());
}

TEST_F(ResourceMonitorHostMemoryTest, UnreadableMeminfoLeavesAvailableUnknownAndNotBelowFloor)
{
  ResourceMonitor monitor(m_absent_engine, options(2 * k_mib));
  EXPECT_EQ(monitor.available_bytes(), std::nullopt);
  EXPECT_EQ(monitor.min_available(), std::nullopt);
  EXPECT_FALSE(monitor.below_floor());
}

TEST_F(ResourceMonitorHostMemoryTest, UnreachableEngineSkipsContainerSamplesWithoutThrowing)
{
  write_available(4096);
  ResourceMonitorOptions monitor_options = options(0);
  monitor_options.run_id = "unit-run";
  ResourceMonitor monitor(m_absent_engine, monitor_options);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(monitor.container_samples(), 0);
  EXPECT_EQ(monitor.peak_total(), 0u);
  EXPECT_EQ(monitor.min_available(), 4096 * k_kib);
}

TEST_F(ResourceMonitorHostMemoryTest, AMeminfoWhoseReadFailsMidRunIsSkippedAndSamplingGoesOn)
{
  write_available(4096);
  std::atomic<int> calls{0};
  ResourceMonitorOptions monitor_options = options(2 * k_mib);
  monitor_options.on_below_floor = [&](std::uint64_t) { ++calls; };
  ResourceMonitor monitor(m_absent_engine, monitor_options);

  // A directory opens but cannot be read (EISDIR), like a cgroup file of a container being
  // removed (ENODEV). The stream buffer threw std::ios_failure from the monitor's thread before:
  // std::terminate, exit 134.
  std::filesystem::remove(meminfo());
  std::filesystem::create_directory(meminfo());
  std::this_thread::sleep_for(milliseconds(200));
  std::filesystem::remove(meminfo());
  write_available(1000);
  EXPECT_TRUE(eventually([&] { return calls.load() == 1; }));
  EXPECT_TRUE(monitor.below_floor());
}

TEST_F(ResourceMonitorHostMemoryTest, AnythingThrownOnTheMonitorThreadIsLoggedNotFatal)
{
  write_available(4096);
  std::atomic<int> calls{0};
  ResourceMonitorOptions monitor_options = options(2 * k_mib);
  monitor_options.on_below_floor = [&](std::uint64_t) {
    ++calls;
    throw 42;  // not a std::exception: escaped the monitor's thread before
  };
  ResourceMonitor monitor(m_absent_engine, monitor_options);
  write_available(1000);
  EXPECT_TRUE(eventually([&] { return calls.load() == 1; }));
  write_available(4096);
  EXPECT_TRUE(eventually([&] { return !monitor.below_floor(); }));
  write_available(1000);
  EXPECT_TRUE(eventually([&] { return calls.load() == 2; }));
}

TEST_F(ResourceMonitorHostMemoryTest, DestructorStopsPromptlyEvenWithALongInterval)
{
  write_available(4096);
  ResourceMonitorOptions monitor_options = options(0);
  monitor_options.interval = milliseconds(60'000);
  monitor_options.run_id = "unit-run";
  auto monitor = std::make_unique<ResourceMonitor>(m_absent_engine, monitor_options);
  std::this_thread::sleep_for(milliseconds(100));
  const auto start = Clock::now();
  monitor.reset();
  EXPECT_LT(Clock::now() - start, milliseconds(200));
}

}  // namespace
}  // namespace orchestrate
