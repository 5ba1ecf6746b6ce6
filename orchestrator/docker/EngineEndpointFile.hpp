#pragma once

#include "docker/EngineEndpoint.hpp"

#include <filesystem>
#include <vector>

namespace orchestrate {

// The engines a run uses, written as JSON into its run folder for the reaper (a process of its
// own, which must reach the same engines the same way if the run dies): name, host, TLS files,
// ssh config, address. Written before the reaper starts.

// Writes `engines` to `file` (replacing it). Throws InternalError when it cannot be written.
void write_engine_endpoints(const std::filesystem::path& file,
                            const std::vector<EngineEndpoint>& engines);

// Reads what write_engine_endpoints wrote. Throws UsageError when the file cannot be read or is
// not such a list.
std::vector<EngineEndpoint> read_engine_endpoints(const std::filesystem::path& file);

}  // namespace orchestrate
