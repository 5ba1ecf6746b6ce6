#pragma once

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace orchestrate::cli {

// Adds `--engine NAME` (repeatable) to a command's options; `what` says what it restricts.
void describe_engine_option(boost::program_options::options_description& described,
                            const char* what);

// The names given with --engine, in order, each once; empty when none was given (every
// configured engine). Throws UsageError for an empty name.
std::vector<std::string> engine_names_option(const boost::program_options::variables_map& values);

}  // namespace orchestrate::cli
