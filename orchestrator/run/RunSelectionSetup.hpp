#pragma once

#include "config/ProjectConfig.hpp"
#include "config/SuiteConfig.hpp"
#include "run/RunOptions.hpp"
#include "selection/RunSelection.hpp"

#include <string>
#include <vector>

namespace orchestrate {

// The suite a run means and what narrows it, from the options a pytest user types.
struct RunSelectionSetup
{
  SuiteConfig suite;           // with -m added to its pytest arguments
  SelectionRequest selection;  // positional selectors, -k, --lf, --shard
};

// Loads the suite: --suite, else the one suite whose paths contain the positional test paths
// (suite_for_selectors). `-m EXPR` is added to a pytest suite's arguments, so pytest's collection
// applies it (and the batches, where it selects nothing more). Positional paths are resolved
// against the current folder. Throws UsageError without a suite or paths, for -m on a suite
// that is not pytest, and for a path outside the project; ConfigError for a bad suite file.
RunSelectionSetup prepare_run_selection(const ProjectConfig& project, const RunOptions& options);

}  // namespace orchestrate
