#include "cli/Commands.hpp"

namespace orchestrate::cli {

const std::map<std::string, Command>& subcommands()
{
  static const std::map<std::string, Command> table{
    {"run", run_command},
    {"lint", lint_command},
    {"merge", merge_command},
    {"cleanup", cleanup_command},
    {"__reaper", reaper_command},
    {"pool", pool_command},
    {"__pool-keeper", pool_keeper_command},
    {"env", env_command},
    {"lock", lock_command},
    {"validate", validate_command},
    {"report", report_command},
    {"completion", completion_command},
  };
  return table;
}

}  // namespace orchestrate::cli
