#include "cleanup/ReapSchedule.hpp"
#include "core/Error.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

TEST(ReapScheduleTest, DoublesThePauseUpToTheLongestRetry)
{
  const ReapSchedule schedule;  // 1 s, at most 10 s
  auto delay = schedule.first_retry;
  std::vector<long long> seen;
  for (int attempt = 0; attempt < 6; ++attempt) {
    delay = next_retry_delay(delay, schedule);
    seen.push_back(delay.count());
  }
  EXPECT_EQ(seen, (std::vector<long long>{2'000, 4'000, 8'000, 10'000, 10'000, 10'000}));
}

TEST(ReapScheduleTest, NeverPausesLessThanTheFirstRetry)
{
  const ReapSchedule schedule;
  EXPECT_EQ(next_retry_delay(Milliseconds(0), schedule), schedule.first_retry);
  EXPECT_EQ(next_retry_delay(Milliseconds(100), schedule), schedule.first_retry);
}

TEST(ReapScheduleTest, DefaultsToTenMinutesOfTrying)
{
  EXPECT_EQ(ReapSchedule{}.give_up_after, Milliseconds(600'000));
  EXPECT_EQ(reap_schedule_giving_up_after("", "--give-up-after").give_up_after,
            Milliseconds(600'000));
}

TEST(ReapScheduleTest, TakesTheGiveUpBoundFromADuration)
{
  EXPECT_EQ(reap_schedule_giving_up_after("90s", "--give-up-after").give_up_after,
            Milliseconds(90'000));
}

TEST(ReapScheduleTest, RefusesAGiveUpBoundThatIsNoPositiveDuration)
{
  for (const char* text : {"soon", "0s", "-5s"}) {
    try {
      reap_schedule_giving_up_after(text, "ORCHESTRATE_REAPER_GIVE_UP_AFTER");
      ADD_FAILURE() << "accepted " << text;
    } catch (const UsageError& error) {
      EXPECT_NE(std::string(error.what()).find("ORCHESTRATE_REAPER_GIVE_UP_AFTER: '"),
                std::string::npos)
        << error.what();
    }
  }
}

}  // namespace
}  // namespace orchestrate
