#pragma once

#include "run/RunOptions.hpp"

#include <boost/program_options.hpp>

namespace orchestrate::cli {

// The options of `orchestrate run` that a pytest, xdist or ctest user types without thinking:
// positional test ids and paths, -m, --co, --durations, --color, --repeat.

// Adds them to `described`, and the positional `tests` to `hidden` and `positional`.
void describe_selection_options(boost::program_options::options_description& described,
                                boost::program_options::options_description& hidden,
                                boost::program_options::positional_options_description& positional);

// Reads them into `options`. Throws UsageError for a bad --color, --durations or --repeat, or
// --repeat with --reruns.
void read_selection_options(const boost::program_options::variables_map& values,
                            RunOptions& options);

}  // namespace orchestrate::cli
