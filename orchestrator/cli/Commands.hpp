#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace orchestrate::cli {

// One function per subcommand: parses its own options (Boost.Program_options stays inside cli/)
// into the library's plain option structs, calls the library, returns the exit code. Errors are
// thrown as orchestrate::Error and mapped to exit codes by main.

int run_command(const std::vector<std::string>& arguments);
int lint_command(const std::vector<std::string>& arguments);
int merge_command(const std::vector<std::string>& arguments);
int cleanup_command(const std::vector<std::string>& arguments);
int reaper_command(const std::vector<std::string>& arguments);  // hidden: `orchestrate __reaper`
int env_command(const std::vector<std::string>& arguments);
int pool_command(const std::vector<std::string>& arguments);
int pool_keeper_command(const std::vector<std::string>& arguments);  // hidden: `__pool-keeper`
int lock_command(const std::vector<std::string>& arguments);
int validate_command(const std::vector<std::string>& arguments);
int report_command(const std::vector<std::string>& arguments);
// hidden: `orchestrate completion bash|zsh|fish|man`, the shell completions and the man page
int completion_command(const std::vector<std::string>& arguments);

using Command = std::function<int(const std::vector<std::string>&)>;

// Every subcommand by name (hidden ones start with `__` or are `completion`); `run` is also what
// `orchestrate --suite X` means.
const std::map<std::string, Command>& subcommands();

// The subcommand a command line names, and the arguments it gets. `orchestrate pool down -C dir`
// and, as with `git -C`, `orchestrate -C dir pool down` (also `-Cdir`, `--project-dir dir`,
// `--project-dir=dir`) are the same call: the project folder given before the subcommand goes
// after it. Without a subcommand name it is `run` with every argument (`orchestrate --suite X`).
struct SubcommandCall
{
  std::string name;
  std::vector<std::string> arguments;
};
SubcommandCall find_subcommand(const std::vector<std::string>& command_line);

}  // namespace orchestrate::cli
