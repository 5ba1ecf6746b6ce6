// `orchestrate completion bash|zsh|fish|man` (hidden): prints the shell completions or the man
// page, generated from the subcommands' own option tables, so they never drift from --help. The
// build writes them into the build tree and `cmake --install` installs them.

#include "cli/CliSupport.hpp"
#include "cli/Commands.hpp"
#include "cli/CompletionScripts.hpp"
#include "core/Error.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <iostream>
#include <map>

namespace po = boost::program_options;

namespace orchestrate::cli {

namespace {

// What the option tables do not say: one line per command, the words after a command, and the
// fixed values of an option (its description names them for people).
struct CommandExtras
{
  const char* summary;
  std::vector<std::string> actions;
  bool takes_paths;
};

const std::map<std::string, CommandExtras>& command_extras()
{
  static const std::map<std::string, CommandExtras> extras{
    {"run", {"run a suite in parallel shards (the default command)", {}, true}},
    {"cleanup", {"remove leftovers of dead runs (only ours, by label)", {}, false}},
    {"env", {"bring a long-lived environment up or down, or show it", {"up", "down", "status"},
             false}},
    {"lock", {"show who holds the environment locks", {"status"}, false}},
    {"pool", {"show or remove the warm stacks of --reuse runs", {"status", "down"}, false}},
    {"lint", {"check compose files against the test-stack policy", {}, true}},
    {"merge", {"merge JSON and JUnit reports of several machines or runs", {}, true}},
    {"validate", {"run the release validation checklist", {}, false}},
    {"report", {"render a past run from its folder as HTML or a trace", {}, true}},
  };
  return extras;
}

const std::map<std::string, std::vector<std::string>>& option_choices()
{
  static const std::map<std::string, std::vector<std::string>> choices{
    {"color", {"auto", "yes", "no"}},
    {"progress", {"auto", "live", "lines"}},
    {"dist", {"dynamic", "static"}},
  };
  return choices;
}

OptionEntry option_entry(const po::option_description& option)
{
  OptionEntry entry;
  const auto [names, count] = option.long_names();
  entry.long_names.assign(names, names + count);
  const auto display = option.canonical_display_name(po::command_line_style::allow_dash_for_short);
  if (display.size() == 2 && display[0] == '-' && display[1] != '-') {
    entry.short_name = display.substr(1);
  }
  entry.takes_value = option.semantic()->max_tokens() > 0;
  entry.description = option.description();
  // Program_options shows a default as "arg (=test)".
  const auto parameter = option.format_parameter();
  const auto shown = parameter.find("(=");
  if (shown != std::string::npos && parameter.back() == ')') {
    entry.default_value = parameter.substr(shown + 2, parameter.size() - shown - 3);
  }
  if (!entry.long_names.empty()) {
    const auto found = option_choices().find(entry.long_names.front());
    if (found != option_choices().end()) {
      entry.choices = found->second;
    }
  }
  return entry;
}

std::vector<CommandEntry> documented_commands()
{
  std::vector<CommandEntry> commands;
  for (const auto& [name, command_function] : subcommands()) {
    if (name.rfind("__", 0) == 0 || name == "completion") {
      continue;  // hidden
    }
    const auto described = describe_command(command_function);
    CommandEntry command;
    command.name = name;
    command.usage = described.usage;
    while (!command.usage.empty() && command.usage.back() == '\n') {
      command.usage.pop_back();
    }
    const auto extras = command_extras().find(name);
    if (extras != command_extras().end()) {
      command.summary = extras->second.summary;
      command.actions = extras->second.actions;
      command.takes_paths = extras->second.takes_paths;
    }
    for (const auto& option : described.options) {
      command.options.push_back(option_entry(*option));
    }
    commands.push_back(std::move(command));
  }
  // `run` first: it is the default and the one most people look for.
  std::stable_partition(commands.begin(), commands.end(),
                        [](const CommandEntry& command) { return command.name == "run"; });
  return commands;
}

}  // namespace

int completion_command(const std::vector<std::string>& arguments)
{
  const std::string wanted = arguments.size() == 1 ? arguments.front() : "";
  const auto commands = documented_commands();
  if (wanted == "bash") {
    std::cout << bash_completion(commands);
  } else if (wanted == "zsh") {
    std::cout << zsh_completion(commands);
  } else if (wanted == "fish") {
    std::cout << fish_completion(commands);
  } else if (wanted == "man") {
    std::cout << man_page(commands, ORCHESTRATE_VERSION);
  } else {
    throw UsageError("usage: orchestrate completion bash|zsh|fish|man");
  }
  return 0;
}

}  // namespace orchestrate::cli
