// The thin `orchestrate` executable: picks the subcommand, lets it parse its options and call the
// library, and maps errors to exit codes. All logic lives in the library.

#include "cli/Commands.hpp"
#include "core/Error.hpp"
#include "core/ExitCode.hpp"

#include <boost/program_options/errors.hpp>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace {

using Command = std::function<int(const std::vector<std::string>&)>;

const std::map<std::string, Command>& subcommands()
{
  static const std::map<std::string, Command> table{
    {"run", orchestrate::cli::run_command},
    {"lint", orchestrate::cli::lint_command},
    {"merge", orchestrate::cli::merge_command},
    {"cleanup", orchestrate::cli::cleanup_command},
    {"__reaper", orchestrate::cli::reaper_command},
    {"env", orchestrate::cli::env_command},
    {"lock", orchestrate::cli::lock_command},
    {"validate", orchestrate::cli::validate_command},
    {"report", orchestrate::cli::report_command},
  };
  return table;
}

}  // namespace

int main(int argc, char** argv)
{
  std::vector<std::string> arguments(argv + 1, argv + argc);
  Command command = orchestrate::cli::run_command;  // `orchestrate --suite X` means run
  if (!arguments.empty()) {
    auto found = subcommands().find(arguments.front());
    if (found != subcommands().end()) {
      command = found->second;
      arguments.erase(arguments.begin());
    }
  }
  try {
    return command(arguments);
  } catch (const boost::program_options::error& error) {
    std::fprintf(stderr, "orchestrate: %s (see orchestrate --help)\n", error.what());
    return orchestrate::to_int(orchestrate::ExitCode::k_usage_error);
  } catch (const orchestrate::Error& error) {
    std::fprintf(stderr, "orchestrate: %s\n", error.what());
    return orchestrate::to_int(error.exit_code());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "orchestrate: internal error: %s\n", error.what());
    return orchestrate::to_int(orchestrate::ExitCode::k_internal_error);
  }
}
