#include "reporting/ShardTestEnds.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

TimelineSpan span(int shard, SpanKind kind, long start_ms, long duration_ms)
{
  TimelineSpan result;
  result.shard = shard;
  result.kind = kind;
  result.start = Milliseconds{start_ms};
  result.duration = Milliseconds{duration_ms};
  return result;
}

ShardTiming shard(int number)
{
  ShardTiming timing;
  timing.shard = number;
  return timing;
}

TEST(ShardTestEndsTest, EachShardEndsWithItsLastTestNotItsTeardown)
{
  Timeline timeline;
  timeline.spans = {
    span(1, SpanKind::k_ready, 0, 2'000),
    span(1, SpanKind::k_test, 2'000, 500),
    span(2, SpanKind::k_test, 2'100, 3'000),
    span(1, SpanKind::k_test, 2'500, 1'000),
    span(1, SpanKind::k_teardown, 3'500, 900),
  };
  std::vector<ShardTiming> shards{shard(1), shard(2)};

  set_tests_ended(shards, timeline);

  EXPECT_EQ(shards[0].tests_ended, Milliseconds{3'500});
  EXPECT_EQ(shards[1].tests_ended, Milliseconds{5'100});
}

TEST(ShardTestEndsTest, ABatchThatOutlastsItsTestsSetsTheEnd)
{
  // A runner without live progress: only the batch is seen, or its tests end before it does.
  Timeline timeline;
  timeline.spans = {span(3, SpanKind::k_test, 1'000, 200), span(3, SpanKind::k_batch, 900, 700)};
  std::vector<ShardTiming> shards{shard(3)};

  set_tests_ended(shards, timeline);

  EXPECT_EQ(shards[0].tests_ended, Milliseconds{1'600});
}

TEST(ShardTestEndsTest, AShardThatRanNoTestKeepsZero)
{
  Timeline timeline;
  timeline.spans = {span(1, SpanKind::k_stack_up, 0, 800), span(9, SpanKind::k_test, 0, 50)};
  std::vector<ShardTiming> shards{shard(1)};

  set_tests_ended(shards, timeline);

  EXPECT_EQ(shards[0].tests_ended, Milliseconds{0});
}

}  // namespace
}  // namespace orchestrate
