#pragma once

#include "core/Quantities.hpp"

#include <boost/program_options.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace orchestrate::cli {

// spdlog configured once: terse warnings by default; timestamps, pid and debug lines under -v.
void configure_logging(int verbosity);

// The value of a duration option ("30s", "500ms"), nullopt when absent. Throws UsageError naming
// the option when the text is not a duration.
std::optional<Milliseconds> duration_option(const boost::program_options::variables_map& values,
                                            const char* name);

// The value of a byte-size option ("4GiB", "512m"), nullopt when absent. Throws UsageError naming
// the option when the text is not a size.
std::optional<std::uint64_t> byte_size_option(const boost::program_options::variables_map& values,
                                              const char* name);

}  // namespace orchestrate::cli
