#pragma once

#include "core/Quantities.hpp"

#include <chrono>
#include <optional>

namespace orchestrate {

// Decides when the live display may be drawn again, so that 10,000 quick tests do not flood the
// terminal with 10,000 frames: a change is drawn at most once per `min_interval`; without changes
// the display is still refreshed every `refresh_interval` (its clock moves on). Pure: the caller
// passes the time, so tests use a fake clock.
class RedrawThrottle
{
public:
  using TimePoint = std::chrono::steady_clock::time_point;

  RedrawThrottle(Milliseconds min_interval, Milliseconds refresh_interval)
    : m_min_interval(min_interval),
      m_refresh_interval(refresh_interval)
  {
  }

  // True when a frame should be drawn at `now`; `changed`: the state differs from the last frame.
  bool should_draw(TimePoint now, bool changed) const
  {
    if (!m_last_drawn) {
      return true;
    }
    const auto since = now - *m_last_drawn;
    return since >= (changed ? m_min_interval : m_refresh_interval);
  }

  // Notes that a frame was drawn at `now`.
  void drew(TimePoint now)
  {
    m_last_drawn = now;
  }

private:
  Milliseconds m_min_interval;
  Milliseconds m_refresh_interval;
  std::optional<TimePoint> m_last_drawn;
};

}  // namespace orchestrate
