#pragma once

#include "core/Quantities.hpp"

#include <boost/program_options.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate::cli {

// Parses a subcommand's `arguments` against `described` (the options --help lists) and `hidden`
// (filled from `positional`), then runs the notifiers. Every command also takes --version. On
// --help it prints `usage` and the described options (`usage` may be empty when `described`
// carries it), on --version the version, and returns nullopt: the command then exits 0.
std::optional<boost::program_options::variables_map> parse_command_line(
  const std::vector<std::string>& arguments, const std::string& usage,
  const boost::program_options::options_description& described,
  const boost::program_options::options_description& hidden = {},
  const boost::program_options::positional_options_description& positional = {});

// Looks up an environment variable: its value, or nullopt when unset.
using VariableLookup = std::function<std::optional<std::string>(const std::string& name)>;

// parse_command_line for `orchestrate run`, whose options also come from the environment (see
// OptionSources.hpp): the command line first, then ORCHESTRATE_ADDOPTS, then one
// ORCHESTRATE_<OPTION> variable per described option; what comes first wins.
std::optional<boost::program_options::variables_map> parse_command_line_and_environment(
  const std::vector<std::string>& arguments, const std::string& usage,
  const boost::program_options::options_description& described,
  const boost::program_options::options_description& hidden,
  const boost::program_options::positional_options_description& positional,
  const VariableLookup& lookup);

// spdlog configured once: terse warnings by default; timestamps, pid and debug lines under -v.
void configure_logging(int verbosity);

// The project folder: -C when given, else the nearest folder from the current one upwards that
// holds orchestrate.yaml (find_project_root). Logs at debug (-v) which file is used. Throws
// UsageError when there is none.
std::filesystem::path project_dir_option(const boost::program_options::variables_map& values);

// The value of a duration option ("30s", "500ms"), nullopt when absent. Throws UsageError naming
// the option when the text is not a duration.
std::optional<Milliseconds> duration_option(const boost::program_options::variables_map& values,
                                            const char* name);

// The value of a byte-size option ("4GiB", "512m"), nullopt when absent. Throws UsageError naming
// the option when the text is not a size.
std::optional<std::uint64_t> byte_size_option(const boost::program_options::variables_map& values,
                                              const char* name);

// One subcommand's option table, as its --help lists it: what completion and the man page are
// generated from.
struct CommandDescription
{
  std::string usage;
  std::vector<boost::shared_ptr<boost::program_options::option_description>> options;
};

// Runs `command` in describe mode: its parse_command_line hands over the option table and stops
// it before it does anything. Each command declares its options inside its own function, so this
// is how the table is read without a second copy of it.
CommandDescription describe_command(const std::function<int(const std::vector<std::string>&)>& command);

}  // namespace orchestrate::cli
