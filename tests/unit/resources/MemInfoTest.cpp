#include "resources/MemInfo.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace orchestrate {
namespace {

constexpr const char* k_meminfo = R"(MemTotal:       24683656 kB
MemFree:        22629816 kB
MemAvailable:   23885424 kB
Buffers:            6804 kB
Cached:          1402916 kB
)";

TEST(MemInfoTest, ParsesMemAvailableInKibibytesAsBytes)
{
  EXPECT_EQ(parse_mem_available(k_meminfo), 23885424ull * 1024);
}

TEST(MemInfoTest, ParsesTheLastLineWithoutANewline)
{
  EXPECT_EQ(parse_mem_available("MemTotal: 10 kB\nMemAvailable: 7 kB"), 7u * 1024);
}

TEST(MemInfoTest, DoesNotMistakeOtherFieldsForMemAvailable)
{
  // Kernels before 3.14 have no MemAvailable line.
  EXPECT_EQ(parse_mem_available("MemTotal:       24683656 kB\nMemFree:        22629816 kB\n"),
            std::nullopt);
  EXPECT_EQ(parse_mem_available(""), std::nullopt);
}

TEST(MemInfoTest, RejectsAMalformedValue)
{
  EXPECT_EQ(parse_mem_available("MemAvailable:   lots kB\n"), std::nullopt);
  EXPECT_EQ(parse_mem_available("MemAvailable:   12 MB\n"), std::nullopt);
}

TEST(MemInfoTest, ReadsAFileAndGivesNulloptForAMissingOne)
{
  TempDir dir;
  const auto path = dir.path() / "meminfo";
  std::ofstream(path) << k_meminfo;
  EXPECT_EQ(read_mem_available(path), 23885424ull * 1024);
  EXPECT_EQ(read_mem_available(dir.path() / "missing"), std::nullopt);
}

TEST(MemInfoTest, AFileWhoseReadFailsIsNulloptInsteadOfThrowing)
{
  // A directory opens but read() fails (EISDIR), as a vanished /proc or cgroup file does.
  TempDir directory;
  EXPECT_EQ(read_mem_available(directory.path()), std::nullopt);
}

TEST(MemInfoTest, ReadsTheRealProcMeminfo)
{
  const auto available = read_mem_available();
  ASSERT_TRUE(available);
  EXPECT_GT(*available, 0u);
}

}  // namespace
}  // namespace orchestrate
