#include "resources/CgroupMemory.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace orchestrate {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t k_mib = 1024 * 1024;
const std::string k_id = "3f4e1c0b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";
const std::string k_other_id = "0000000000000000000000000000000000000000000000000000000000000001";

// Excerpts of real memory.stat files: v1 has per-cgroup and hierarchical (total_) counters, v2
// only the former.
std::string v1_stat(std::uint64_t inactive_file, std::uint64_t total_inactive_file)
{
  return "cache 77033472\nrss 0\ninactive_file " + std::to_string(inactive_file) +
         "\nactive_file 0\nhierarchical_memory_limit 9223372036854771712\n"
         "total_cache 77033472\ntotal_inactive_file " +
         std::to_string(total_inactive_file) + "\ntotal_active_file 62767104\n";
}

std::string v2_stat(std::uint64_t inactive_file)
{
  return "anon 104857600\nfile 8388608\nactive_anon 0\ninactive_anon 104857600\n"
         "active_file 4194304\ninactive_file " +
         std::to_string(inactive_file) + "\nunevictable 0\n";
}

// A fake /sys/fs/cgroup in a temp dir.
class CgroupMemoryTest : public testing::Test
{
protected:
  // Writes a container's cgroup directory `relative` under the fake root.
  fs::path write_cgroup(const std::string& relative,
                        const std::string& usage_file,
                        const std::string& usage,
                        const std::string& stat)
  {
    const fs::path directory = m_root.path() / relative;
    fs::create_directories(directory);
    std::ofstream(directory / usage_file) << usage;
    std::ofstream(directory / "memory.stat") << stat;
    return directory;
  }

  fs::path write_v1(const std::string& relative, std::uint64_t usage, const std::string& stat)
  {
    return write_cgroup("memory/" + relative, "memory.usage_in_bytes",
                        std::to_string(usage) + "\n", stat);
  }

  fs::path write_v2(const std::string& relative, std::uint64_t usage, const std::string& stat)
  {
    return write_cgroup(relative, "memory.current", std::to_string(usage) + "\n", stat);
  }

  TempDir m_root;
  CgroupMemory m_cgroups{m_root.path()};
};

TEST(MemoryStatTest, FindsAKeyOnlyAsAWholeWord)
{
  const std::string stat = "total_inactive_file 7\ninactive_file_extra 3\ninactive_file 5\n";
  EXPECT_EQ(parse_memory_stat(stat, "inactive_file"), 5u);
  EXPECT_EQ(parse_memory_stat(stat, "total_inactive_file"), 7u);
  EXPECT_EQ(parse_memory_stat("rss 1\ninactive_file 9", "inactive_file"), 9u);
}

TEST(MemoryStatTest, MissingOrMalformedKeyIsNullopt)
{
  EXPECT_EQ(parse_memory_stat("rss 1\nactive_file 2\n", "inactive_file"), std::nullopt);
  EXPECT_EQ(parse_memory_stat("", "inactive_file"), std::nullopt);
  EXPECT_EQ(parse_memory_stat("inactive_file lots\n", "inactive_file"), std::nullopt);
  EXPECT_EQ(parse_memory_stat("inactive_file -4\n", "inactive_file"), std::nullopt);
}

TEST(MemoryStatTest, UsageWithoutInactiveFileIsWhatDockerStatsShows)
{
  EXPECT_EQ(usage_without_inactive_file(100, 30), 70u);
  // Not smaller than the usage: docker stats shows the whole usage, not 0.
  EXPECT_EQ(usage_without_inactive_file(100, 100), 100u);
  EXPECT_EQ(usage_without_inactive_file(100, 250), 100u);
  EXPECT_EQ(usage_without_inactive_file(100, 0), 100u);
}

TEST_F(CgroupMemoryTest, ReadsCgroupV1CgroupfsAndSubtractsTheHierarchicalInactiveFile)
{
  const fs::path directory =
    write_v1("docker/" + k_id, 300 * k_mib, v1_stat(10 * k_mib, 50 * k_mib));
  EXPECT_EQ(m_cgroups.container_usage(k_id), 250 * k_mib);
  EXPECT_EQ(m_cgroups.cached_directory(k_id), directory);
}

TEST_F(CgroupMemoryTest, ReadsCgroupV1SystemdScope)
{
  const fs::path directory = write_v1("system.slice/docker-" + k_id + ".scope", 200 * k_mib,
                                      v1_stat(0, 20 * k_mib));
  EXPECT_EQ(m_cgroups.container_usage(k_id), 180 * k_mib);
  EXPECT_EQ(m_cgroups.cached_directory(k_id), directory);
}

TEST_F(CgroupMemoryTest, ReadsCgroupV2SystemdScopeAndSubtractsInactiveFile)
{
  const fs::path directory =
    write_v2("system.slice/docker-" + k_id + ".scope", 120 * k_mib, v2_stat(8 * k_mib));
  EXPECT_EQ(m_cgroups.container_usage(k_id), 112 * k_mib);
  EXPECT_EQ(m_cgroups.cached_directory(k_id), directory);
}

TEST_F(CgroupMemoryTest, ReadsCgroupV2Cgroupfs)
{
  const fs::path directory = write_v2("docker/" + k_id, 64 * k_mib, v2_stat(4 * k_mib));
  EXPECT_EQ(m_cgroups.container_usage(k_id), 60 * k_mib);
  EXPECT_EQ(m_cgroups.cached_directory(k_id), directory);
}

TEST_F(CgroupMemoryTest, AMemoryStatWithoutTheKeyLeavesTheWholeUsage)
{
  // On v1 the per-cgroup inactive_file must not stand in for total_inactive_file.
  write_v1("docker/" + k_id, 300 * k_mib, "cache 0\ninactive_file 1048576\n");
  EXPECT_EQ(m_cgroups.container_usage(k_id), 300 * k_mib);
}

TEST_F(CgroupMemoryTest, NoCgroupDirectoryIsNullopt)
{
  // Another container's cgroup exists; this one's does not (a rootless engine, say).
  write_v1("docker/" + k_other_id, k_mib, v1_stat(0, 0));
  EXPECT_EQ(m_cgroups.container_usage(k_id), std::nullopt);
  EXPECT_EQ(m_cgroups.cached_directory(k_id), std::nullopt);
}

TEST_F(CgroupMemoryTest, MissingOrMalformedFilesAreNullopt)
{
  const fs::path directory = write_v1("docker/" + k_id, 300 * k_mib, v1_stat(0, 0));
  fs::remove(directory / "memory.stat");
  EXPECT_EQ(m_cgroups.container_usage(k_id), std::nullopt);

  std::ofstream(directory / "memory.stat") << v1_stat(0, 0);
  fs::remove(directory / "memory.usage_in_bytes");
  EXPECT_EQ(m_cgroups.container_usage(k_id), std::nullopt);

  std::ofstream(directory / "memory.usage_in_bytes") << "lots\n";
  EXPECT_EQ(m_cgroups.container_usage(k_id), std::nullopt);
  std::ofstream(directory / "memory.usage_in_bytes") << "";
  EXPECT_EQ(m_cgroups.container_usage(k_id), std::nullopt);

  std::ofstream(directory / "memory.usage_in_bytes") << "4096\n";
  EXPECT_EQ(m_cgroups.container_usage(k_id), 4096u);
}

TEST_F(CgroupMemoryTest, AFileWhoseReadFailsCountsAsGoneInsteadOfThrowing)
{
  // A container being removed: its cgroup files open but read() fails (ENODEV). A directory in
  // place of memory.current fails the same way (EISDIR) and threw std::ios_failure from the stream
  // buffer before, which killed the process from the monitor's thread.
  const fs::path directory = m_root.path() / "docker" / k_id;
  fs::create_directories(directory / "memory.current");
  std::ofstream(directory / "memory.stat") << v2_stat(0);
  EXPECT_EQ(m_cgroups.container_usage(k_id), std::nullopt);
}

TEST_F(CgroupMemoryTest, AnIdThatIsNotHexDigitsNeverBecomesAPath)
{
  // <root>/memory/docker/../docker/<id> would exist; the id must not reach the file system.
  write_v1("docker/" + k_id, k_mib, v1_stat(0, 0));
  EXPECT_EQ(m_cgroups.container_usage("../docker/" + k_id), std::nullopt);
  EXPECT_EQ(m_cgroups.container_usage(""), std::nullopt);
}

TEST_F(CgroupMemoryTest, FollowsTheValuesOfTheCachedDirectory)
{
  const fs::path directory = write_v1("docker/" + k_id, 300 * k_mib, v1_stat(0, 0));
  EXPECT_EQ(m_cgroups.container_usage(k_id), 300 * k_mib);
  std::ofstream(directory / "memory.usage_in_bytes") << 310 * k_mib << "\n";
  std::ofstream(directory / "memory.stat") << v1_stat(0, 5 * k_mib);
  EXPECT_EQ(m_cgroups.container_usage(k_id), 305 * k_mib);
}

TEST_F(CgroupMemoryTest, AVanishedDirectoryIsForgottenAndAnotherLayoutFound)
{
  const fs::path v1 = write_v1("docker/" + k_id, 300 * k_mib, v1_stat(0, 0));
  ASSERT_EQ(m_cgroups.container_usage(k_id), 300 * k_mib);
  fs::remove_all(v1);
  EXPECT_EQ(m_cgroups.container_usage(k_id), std::nullopt);
  EXPECT_EQ(m_cgroups.cached_directory(k_id), std::nullopt);

  // The engine came back with the systemd driver on cgroup v2.
  const fs::path v2 =
    write_v2("system.slice/docker-" + k_id + ".scope", 70 * k_mib, v2_stat(0));
  EXPECT_EQ(m_cgroups.container_usage(k_id), 70 * k_mib);
  EXPECT_EQ(m_cgroups.cached_directory(k_id), v2);
}

TEST_F(CgroupMemoryTest, ForgetAllButKeepsOnlyTheNamedContainers)
{
  write_v1("docker/" + k_id, k_mib, v1_stat(0, 0));
  write_v2("docker/" + k_other_id, 2 * k_mib, v2_stat(0));
  ASSERT_EQ(m_cgroups.container_usage(k_id), k_mib);
  ASSERT_EQ(m_cgroups.container_usage(k_other_id), 2 * k_mib);

  m_cgroups.forget_all_but({k_other_id});
  EXPECT_EQ(m_cgroups.cached_directory(k_id), std::nullopt);
  EXPECT_TRUE(m_cgroups.cached_directory(k_other_id));
}

}  // namespace
}  // namespace orchestrate
