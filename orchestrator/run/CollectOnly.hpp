#pragma once

#include "core/ExitCode.hpp"
#include "run/RunOptions.hpp"

namespace orchestrate {

// `orchestrate --co`: collects the suite and prints the ids the run would run, after the
// positional selectors, -m, -k, --lf and --shard, one per line on stdout, then pytest's
// `N tests collected in 0.12s` (with `/M` and the deselected count when some were left out).
// Starts no stack and takes no lock. Returns 0, 5 when no test is selected (as pytest), or 0 with
// a line saying so when --shard left this machine an empty share. Throws what the configuration,
// the collection and the selection throw.
ExitCode collect_only(const RunOptions& options);

}  // namespace orchestrate
