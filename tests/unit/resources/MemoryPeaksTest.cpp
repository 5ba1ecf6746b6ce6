#include "resources/MemoryPeaks.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

TEST(MemoryPeaksTest, KeepsThePeakOfEachShard)
{
  MemoryPeaks peaks;
  peaks.record({{1, 100}, {2, 50}});
  peaks.record({{1, 80}, {2, 70}});
  EXPECT_EQ(peaks.peak_for_shard(1), 100u);
  EXPECT_EQ(peaks.peak_for_shard(2), 70u);
  EXPECT_EQ(peaks.peak_for_shard(3), 0u);
  EXPECT_EQ(peaks.peaks_by_shard(), (std::map<int, std::uint64_t>{{1, 100}, {2, 70}}));
  EXPECT_EQ(peaks.samples(), 2);
}

TEST(MemoryPeaksTest, PeakTotalIsTheLargestSumAtOneTimeNotTheSumOfPeaks)
{
  MemoryPeaks peaks;
  peaks.record({{1, 100}, {2, 10}});
  peaks.record({{1, 10}, {2, 100}});
  EXPECT_EQ(peaks.peak_total(), 110u);
}

TEST(MemoryPeaksTest, AnEmptySampleCountsButChangesNoPeak)
{
  MemoryPeaks peaks;
  peaks.record({});
  EXPECT_EQ(peaks.samples(), 1);
  EXPECT_EQ(peaks.peak_total(), 0u);
  EXPECT_TRUE(peaks.peaks_by_shard().empty());
}

}  // namespace
}  // namespace orchestrate
