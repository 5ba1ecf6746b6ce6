#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace orchestrate {

// Whether the host is short of memory right now: what StackAdmission asks before starting another
// stack. ResourceMonitor implements it from /proc/meminfo, EngineMemoryPressure for an engine
// after the main one from the Engine API; tests use a fake.
class MemoryPressure
{
public:
  virtual ~MemoryPressure() = default;

  // True while the host's MemAvailable is below floor_bytes(). Must be cheap and thread-safe:
  // admission calls it from every waiting shard thread, every 100 ms.
  virtual bool below_floor() const = 0;

  // The last MemAvailable measured, in bytes; nullopt before the first measurement.
  virtual std::optional<std::uint64_t> available_bytes() const = 0;

  // The floor below which no further stack starts; 0 means no floor.
  virtual std::uint64_t floor_bytes() const = 0;

  // What available_bytes() measures, for the message that says a stack waits.
  virtual std::string available_name() const
  {
    return "MemAvailable";
  }
};

}  // namespace orchestrate
