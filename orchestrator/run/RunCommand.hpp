#pragma once

#include "core/ExitCode.hpp"
#include "run/RunOptions.hpp"

namespace orchestrate {

// `orchestrate run`: load the configuration, collect the suite's tests once, bring up one stack per
// shard (at most --parallel at once), run the shards' tests, tear every stack down, report.
// Returns the exit code (pytest's). Throws Error for usage and environment errors (main maps them
// to exit codes).
ExitCode run_suite(const RunOptions& options);

}  // namespace orchestrate
