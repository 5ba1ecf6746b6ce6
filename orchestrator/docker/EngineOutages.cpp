#include "docker/EngineOutages.hpp"

#include <map>
#include <mutex>

namespace orchestrate {

namespace {

struct Tallies
{
  std::mutex mutex;
  std::map<std::string, EngineOutageTally> by_endpoint;
};

Tallies& tallies()
{
  static Tallies instance;
  return instance;
}

}  // namespace

void note_engine_unanswered(const std::string& endpoint) noexcept
{
  try {
    auto& all = tallies();
    const std::lock_guard lock(all.mutex);
    auto& tally = all.by_endpoint[endpoint];
    ++tally.unanswered_requests;
    tally.last_unanswered = std::chrono::system_clock::now();
  } catch (...) {
    // Only a failed allocation can land here; a lost count is not worth a crash.
  }
}

EngineOutageTally engine_outage_tally(const std::string& endpoint)
{
  auto& all = tallies();
  const std::lock_guard lock(all.mutex);
  const auto found = all.by_endpoint.find(endpoint);
  return found == all.by_endpoint.end() ? EngineOutageTally{} : found->second;
}

}  // namespace orchestrate
