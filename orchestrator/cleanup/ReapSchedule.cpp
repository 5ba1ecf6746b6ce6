#include "cleanup/ReapSchedule.hpp"

#include "core/Error.hpp"

#include <algorithm>
#include <cstdlib>

namespace orchestrate {

Milliseconds next_retry_delay(Milliseconds previous, const ReapSchedule& schedule)
{
  const auto doubled = previous.count() > schedule.longest_retry.count() / 2
                         ? schedule.longest_retry
                         : previous * 2;
  return std::clamp(doubled, schedule.first_retry,
                    std::max(schedule.first_retry, schedule.longest_retry));
}

ReapSchedule reap_schedule_giving_up_after(const std::string& text, const std::string& source)
{
  ReapSchedule schedule;
  if (text.empty()) {
    return schedule;
  }
  const auto duration = parse_duration(text);
  if (!duration || duration->count() <= 0) {
    throw UsageError(source + ": '" + text + "' is not a duration such as 90s or 10m");
  }
  schedule.give_up_after = *duration;
  return schedule;
}

ReapSchedule reap_schedule_from_environment()
{
  const char* text = std::getenv(k_reaper_give_up_variable);
  return reap_schedule_giving_up_after(text == nullptr ? "" : text, k_reaper_give_up_variable);
}

}  // namespace orchestrate
