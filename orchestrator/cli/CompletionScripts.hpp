#pragma once

#include <string>
#include <vector>

namespace orchestrate::cli {

// What shell completions and the man page are generated from: the subcommands' option tables as
// their --help lists them (CompletionCli.cpp reads them with describe_command).
struct OptionEntry
{
  std::vector<std::string> long_names;  // without dashes: "collect-only", "co"
  std::string short_name;               // without the dash: "k"; empty when none
  bool takes_value = false;
  std::vector<std::string> choices;     // fixed values (--color: auto yes no); empty: any
  std::string description;
  std::string default_value;            // as --help shows it; empty: none
};

struct CommandEntry
{
  std::string name;                  // "run", "cleanup", ...
  std::string summary;               // one line
  std::string usage;                 // the text --help prints above the options
  std::vector<OptionEntry> options;
  std::vector<std::string> actions;  // words after the command (env: up down status)
  bool takes_paths = false;          // positional files (run: test paths, lint, merge)
};

// `complete -F` script for bash (bash-completion's completions/orchestrate).
std::string bash_completion(const std::vector<CommandEntry>& commands);
// `#compdef orchestrate` function for zsh (site-functions/_orchestrate).
std::string zsh_completion(const std::vector<CommandEntry>& commands);
// `complete -c orchestrate` lines for fish (vendor_completions.d/orchestrate.fish).
std::string fish_completion(const std::vector<CommandEntry>& commands);
// orchestrate(1) in roff (man 7 man): synopsis, each command's usage and options, environment,
// exit status, files. `version` goes in the title line.
std::string man_page(const std::vector<CommandEntry>& commands, const std::string& version);

}  // namespace orchestrate::cli
