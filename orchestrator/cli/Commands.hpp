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

}  // namespace orchestrate::cli
