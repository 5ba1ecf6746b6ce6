#include "reporting/RedrawThrottle.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

using TimePoint = RedrawThrottle::TimePoint;

const TimePoint k_t0 = TimePoint() + std::chrono::hours(1);

TEST(RedrawThrottleTest, DrawsTheFirstFrameAtOnce)
{
  const RedrawThrottle throttle(Milliseconds(100), Milliseconds(1000));
  EXPECT_TRUE(throttle.should_draw(k_t0, false));
}

TEST(RedrawThrottleTest, DrawsChangesAtMostOncePerInterval)
{
  RedrawThrottle throttle(Milliseconds(100), Milliseconds(1000));
  throttle.drew(k_t0);
  EXPECT_FALSE(throttle.should_draw(k_t0 + Milliseconds(1), true));
  EXPECT_FALSE(throttle.should_draw(k_t0 + Milliseconds(99), true));
  EXPECT_TRUE(throttle.should_draw(k_t0 + Milliseconds(100), true));
}

TEST(RedrawThrottleTest, ThousandsOfChangesInASecondGiveAboutTenFrames)
{
  RedrawThrottle throttle(Milliseconds(100), Milliseconds(1000));
  int frames = 0;
  // 10,000 test results within one second, one every 100 microseconds.
  for (int i = 0; i < 10'000; ++i) {
    const auto now = k_t0 + std::chrono::microseconds(100 * i);
    if (throttle.should_draw(now, true)) {
      throttle.drew(now);
      ++frames;
    }
  }
  EXPECT_EQ(frames, 10);
}

TEST(RedrawThrottleTest, WithoutChangesRefreshesOnlyAfterTheRefreshInterval)
{
  RedrawThrottle throttle(Milliseconds(100), Milliseconds(1000));
  throttle.drew(k_t0);
  EXPECT_FALSE(throttle.should_draw(k_t0 + Milliseconds(500), false));
  EXPECT_FALSE(throttle.should_draw(k_t0 + Milliseconds(999), false));
  EXPECT_TRUE(throttle.should_draw(k_t0 + Milliseconds(1000), false));
}

}  // namespace
}  // namespace orchestrate
