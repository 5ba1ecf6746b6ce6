#pragma once

#include "core/Quantities.hpp"

#include <boost/program_options.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate::cli {

// Parses a subcommand's `arguments` against `described` (the options --help lists) and `hidden`
// (filled from `positional`), then runs the notifiers. On --help it prints `usage` and the
// described options (`usage` may be empty when `described` carries it) and returns nullopt: the
// command then exits 0.
std::optional<boost::program_options::variables_map> parse_command_line(
  const std::vector<std::string>& arguments, const std::string& usage,
  const boost::program_options::options_description& described,
  const boost::program_options::options_description& hidden = {},
  const boost::program_options::positional_options_description& positional = {});

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
