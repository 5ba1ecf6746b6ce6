#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace orchestrate {

// A process-wide tally of the requests to each engine that found nothing listening (connection
// refused, socket gone; a slow or dropped request is not counted), kept by DockerEngine. A run reads it before its first
// stack and again at its end: a higher count means its engine went away (killed, restarted) in
// between, even if it answers again by then, which makes the run an infrastructure failure.
struct EngineOutageTally
{
  std::uint64_t unanswered_requests = 0;
  // When the last unanswered request failed; nullopt while none did.
  std::optional<std::chrono::system_clock::time_point> last_unanswered;
};

// Counts one unanswered request to `endpoint` (a socket path or tcp://host:port). Thread-safe;
// never throws.
void note_engine_unanswered(const std::string& endpoint) noexcept;

// The tally for `endpoint` so far. Thread-safe.
EngineOutageTally engine_outage_tally(const std::string& endpoint);

}  // namespace orchestrate
