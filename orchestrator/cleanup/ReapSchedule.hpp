#pragma once

#include "core/Quantities.hpp"

#include <string>

namespace orchestrate {

// How long and how often the reaper keeps trying to remove a run's resources. While the engine
// does not answer (killed, restarting) or refuses a removal, the pause between two attempts
// doubles from first_retry up to longest_retry; as soon as a scan makes progress it is back to
// first_retry. After give_up_after the reaper stops and leaves the rest to `orchestrate cleanup`.
struct ReapSchedule
{
  Milliseconds give_up_after{600'000};
  Milliseconds first_retry{1'000};
  Milliseconds longest_retry{10'000};
};

// The pause after one of `previous`: twice as long, at least first_retry, at most longest_retry.
Milliseconds next_retry_delay(Milliseconds previous, const ReapSchedule& schedule);

// The environment variable that overrides give_up_after for the reapers a run starts (a duration:
// "90s", "10m"), for tests and for hosts whose engine takes long to come back.
inline constexpr const char* k_reaper_give_up_variable = "ORCHESTRATE_REAPER_GIVE_UP_AFTER";

// The schedule with give_up_after parsed from `text` (a duration) when it is not empty; `source`
// names where the text came from for the error. Throws UsageError for anything but a positive
// duration.
ReapSchedule reap_schedule_giving_up_after(const std::string& text, const std::string& source);

// The schedule a reaper started now would use: ORCHESTRATE_REAPER_GIVE_UP_AFTER when set, else
// the defaults. Throws UsageError as reap_schedule_giving_up_after() does.
ReapSchedule reap_schedule_from_environment();

}  // namespace orchestrate
