#include "run/StartSlotCount.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

namespace orchestrate {

int start_slot_count(const StartSlotSettings& settings, DockerEngine& engine)
{
  if (settings.command_line) {
    return *settings.command_line;
  }
  if (engine.endpoint().start_slots) {
    return *engine.endpoint().start_slots;
  }
  if (settings.project_default) {
    return *settings.project_default;
  }
  // The stacks' services start on the engine's CPUs: one stack per CPU at once (measured on two
  // cores: two at a time made the first tests start in half the time, bench/RESULTS.md "Start
  // slots (issue 10)").
  int cpus = 0;
  try {
    cpus = engine.cpu_count();
  } catch (const std::exception& error) {
    spdlog::debug("engine {}: its CPU count is not known ({}): start slots from this host's",
                  engine.endpoint().name, error.what());
  }
  if (cpus == 0) {
    cpus = static_cast<int>(std::thread::hardware_concurrency());
  }
  return std::max(1, cpus);
}

}  // namespace orchestrate
