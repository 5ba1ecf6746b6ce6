#pragma once

#include "core/ExitCode.hpp"
#include "reporting/JsonReport.hpp"
#include "run/RunEngines.hpp"
#include "run/RunRemoval.hpp"

#include <deque>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace orchestrate {

class ReaperGuard;

// One engine's part in the end of a multi-engine run.
struct EngineRemoval
{
  std::string name;
  const RunRemoval* removal = nullptr;
  std::vector<std::string> stacks;  // the run's stacks placed on it
};

// One EngineRemoval per engine of `engines`: the main engine's `main`, the others' `others` (in
// the order of engines.all()), each with the stacks `shards` say were placed on it.
std::vector<EngineRemoval> engine_removals_of(RunEngines& engines, const RunRemoval& main,
                                              const std::deque<RunRemoval>& others,
                                              const std::vector<ShardTiming>& shards);

// The end of a run on several engines (docs/scale-out.md): checks each engine as RunRemoval does;
// releases the reaper only when nothing of the run is left on any engine, else hands everything
// over to it (it retries each engine until it answers). An engine lost during the run does not
// fail the run while another engine stayed: the exit code stays the tests' (the message says which
// engine was lost and who removes what is left on it); when no engine answers at the end it is
// exit 7, and 2 stays 2. Prints what happened to `out`. Never throws.
ExitCode settle_engine_removals(const std::vector<EngineRemoval>& engines, ReaperGuard& reaper,
                                const std::filesystem::path& reaper_log, ExitCode exit_code,
                                std::FILE* out);

}  // namespace orchestrate
