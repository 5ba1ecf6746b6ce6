#pragma once

#include "cli/CliSupport.hpp"

#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace orchestrate::cli {

// Where `orchestrate run` options come from besides the command line, as pytest's
// PYTEST_ADDOPTS and its ini file:
//   orchestrate.yaml  <  ORCHESTRATE_<OPTION>  <  ORCHESTRATE_ADDOPTS  <  the command line
// (a later source wins). The file's values are defaults the run applies to options nobody set,
// so only the last three are parsed here. See docs/configuration.md.

// The variable that sets `option`: ORCHESTRATE_ and its long name in capitals with `-` as `_`
// (--memory-budget: ORCHESTRATE_MEMORY_BUDGET).
std::string environment_variable_for(const boost::program_options::option_description& option);

// ORCHESTRATE_ADDOPTS split into arguments as Program_options' split_unix does (spaces separate,
// quotes group, a backslash escapes). Throws UsageError naming the variable for an unterminated
// quote or a bad escape.
std::vector<std::string> split_addopts(const std::string& value);

// Stores into `values` (which already holds the command line, so that it wins) the options of
// ORCHESTRATE_ADDOPTS, parsed against `all` and `positional`, then one ORCHESTRATE_<OPTION> per
// option of `described` except --help and --version. A switch's variable takes 1/true/yes/on or
// 0/false/no/off/empty; any other option's takes its value as written. Throws UsageError naming
// the variable and its value when a value is bad.
void store_environment_options(boost::program_options::variables_map& values,
                               const boost::program_options::options_description& described,
                               const boost::program_options::options_description& all,
                               const boost::program_options::positional_options_description& positional,
                               const VariableLookup& lookup);

}  // namespace orchestrate::cli
