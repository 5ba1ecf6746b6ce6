#pragma once

#include "core/Quantities.hpp"

#include <boost/program_options.hpp>
#include <optional>
#include <string>

namespace orchestrate::cli {

// spdlog configured once: terse warnings by default; timestamps, pid and debug lines under -v.
void configure_logging(int verbosity);

// The value of a duration option ("30s", "500ms"), nullopt when absent. Throws UsageError naming
// the option when the text is not a duration.
std::optional<Milliseconds> duration_option(const boost::program_options::variables_map& values,
                                            const char* name);

}  // namespace orchestrate::cli
