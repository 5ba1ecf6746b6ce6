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

namespace {

bool is_subcommand(const std::string& word)
{
  return subcommands().count(word) != 0;
}

// How many words a leading project folder option takes (`-C dir`: 2, `-Cdir`: 1), 0 if none.
std::size_t project_dir_words(const std::vector<std::string>& command_line)
{
  if (command_line.empty()) {
    return 0;
  }
  const std::string& first = command_line.front();
  if (first == "-C" || first == "--project-dir") {
    return command_line.size() >= 2 ? 2 : 0;
  }
  const bool attached = (first.rfind("-C", 0) == 0 && first.size() > 2) ||
                        first.rfind("--project-dir=", 0) == 0;
  return attached ? 1 : 0;
}

}  // namespace

SubcommandCall find_subcommand(const std::vector<std::string>& command_line)
{
  if (!command_line.empty() && is_subcommand(command_line.front())) {
    return {command_line.front(), {command_line.begin() + 1, command_line.end()}};
  }
  const std::size_t folder_words = project_dir_words(command_line);
  if (folder_words > 0 && command_line.size() > folder_words &&
      is_subcommand(command_line[folder_words])) {
    SubcommandCall call{command_line[folder_words],
                        {command_line.begin() + static_cast<std::ptrdiff_t>(folder_words) + 1,
                         command_line.end()}};
    call.arguments.insert(call.arguments.end(), command_line.begin(),
                          command_line.begin() + static_cast<std::ptrdiff_t>(folder_words));
    return call;
  }
  return {"run", command_line};
}

}  // namespace orchestrate::cli
