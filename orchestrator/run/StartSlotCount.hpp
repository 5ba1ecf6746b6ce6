#pragma once

#include "docker/DockerEngine.hpp"

#include <optional>

namespace orchestrate {

// What the run was told about start slots (StartSlots.hpp); empty: not said.
struct StartSlotSettings
{
  std::optional<int> command_line;     // --start-slots
  std::optional<int> project_default;  // orchestrate.yaml `defaults: start_slots`
};

// How many stacks may start at once on `engine` (0: unlimited): --start-slots, else the engine's
// own `start_slots` (orchestrate.yaml `engines:`), else `defaults: start_slots`, else the CPUs of
// the engine's host (GET /info: NCPU), else this host's (std::thread::hardware_concurrency()),
// at least 1. Asks the engine only in that last case; never throws (an engine that does not
// answer gets this host's count).
int start_slot_count(const StartSlotSettings& settings, DockerEngine& engine);

}  // namespace orchestrate
