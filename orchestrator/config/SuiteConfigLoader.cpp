#include "config/ConfigLoader.hpp"
#include "config/NamedConfigFiles.hpp"
#include "config/YamlFields.hpp"

#include <algorithm>
#include <set>

namespace orchestrate {

namespace {

// Keys every suite may have, and the keys only one runner understands. A key of another runner is
// an error rather than silently ignored: `binary:` in a pytest suite is a mistake worth reporting.
const std::vector<std::string> k_common_keys = {"runner", "fixtures", "test_timeout",
                                              "collect_timeout", "reuse"};

struct RunnerKeys
{
  std::string runner;
  std::vector<std::string> keys;
};

const std::vector<RunnerKeys> k_runner_keys = {
  {"pytest", {"paths", "args"}},
  {"gtest", {"binary", "args"}},
  {"command", {"commands"}},
};

const std::vector<std::string> k_command_keys = {"name", "run"};

// The suite's runner and its keys. Throws ConfigError when `runner` is not one we have.
const RunnerKeys& read_runner(const YamlMapping& file)
{
  const auto value = file.get("runner");
  const std::string runner = value ? value->as_string() : "pytest";
  std::vector<std::string> runners;
  for (const auto& entry : k_runner_keys) {
    if (entry.runner == runner) {
      return entry;
    }
    runners.push_back(entry.runner);
  }
  // Only reached with a value: the default runner is in the table.
  value->fail_expected("one of: " + join_names(runners));
}

std::vector<std::string> all_suite_keys()
{
  std::vector<std::string> keys = k_common_keys;
  for (const auto& entry : k_runner_keys) {
    for (const auto& key : entry.keys) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        keys.push_back(key);
      }
    }
  }
  return keys;
}

void check_keys_belong_to_runner(const YamlMapping& file, const RunnerKeys& runner)
{
  for (const auto& [key, value] : file.entries()) {
    const bool common = std::find(k_common_keys.begin(), k_common_keys.end(), key) !=
                        k_common_keys.end();
    const bool own = std::find(runner.keys.begin(), runner.keys.end(), key) != runner.keys.end();
    if (!common && !own) {
      std::vector<std::string> allowed = k_common_keys;
      allowed.insert(allowed.end(), runner.keys.begin(), runner.keys.end());
      value.fail_at_key("key '" + key + "' does not apply to runner '" + runner.runner +
                        "'; keys for this runner: " + join_names(allowed));
    }
  }
}

std::vector<std::string> read_fixture_names(const ProjectConfig& project, const YamlValue& value)
{
  const auto existing = list_yaml_stems(project.fixtures_dir);
  std::vector<std::string> names;
  for (const auto& item : value.as_list("fixture names", false)) {
    std::string name = item.as_string();
    if (std::find(existing.begin(), existing.end(), name) == existing.end()) {
      item.fail("unknown fixture '" + name + "'; fixtures in " + project.fixtures_dir.string() +
                ": " + describe_yaml_stems(project.fixtures_dir));
    }
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      item.fail("fixture '" + name + "' is listed twice");
    }
    names.push_back(std::move(name));
  }
  return names;
}

std::vector<NamedCommand> read_commands(const YamlValue& value)
{
  std::vector<NamedCommand> commands;
  std::set<std::string> names;
  for (const auto& item : value.as_list("commands, each with 'name' and 'run'", true)) {
    const auto mapping = item.as_mapping();
    mapping.check_keys(k_command_keys);
    const auto name = mapping.require("name", "a unique name for the command (a string)");
    NamedCommand command;
    command.name = name.as_string();
    if (command.name.empty()) {
      name.fail_expected("a non-empty name");
    }
    if (!names.insert(command.name).second) {
      name.fail("command name '" + command.name + "' is used twice; names must be unique");
    }
    // An argv, never a shell string: a shell is only used when the user writes one.
    command.argv =
      mapping.require("run", "the command's argv, e.g. [\"sh\", \"-c\", \"...\"]")
        .as_string_list("strings (an argv: write [\"sh\", \"-c\", \"...\"] to use a shell)", true);
    commands.push_back(std::move(command));
  }
  return commands;
}

}  // namespace

std::vector<std::string> list_suite_names(const ProjectConfig& project)
{
  return list_yaml_stems(project.suites_dir);
}

SuiteConfig load_suite_config(const ProjectConfig& project, const std::string& name)
{
  SuiteConfig suite;
  suite.name = name;
  const auto file = load_named_yaml(project.suites_dir, "suite", name, all_suite_keys());
  suite.source_path = file.file();
  const auto& runner = read_runner(file);
  suite.runner = runner.runner;
  check_keys_belong_to_runner(file, runner);

  if (suite.runner == "pytest") {
    suite.paths =
      file.require("paths", "a non-empty list of test paths, e.g. 'paths: [tests/integration]'")
        .as_string_list("test paths (relative to the project root)", true);
  } else if (suite.runner == "gtest") {
    const auto binary = file.require("binary", "the gtest binary, relative to the project root");
    if (binary.as_string().empty()) {
      binary.fail_expected("a path to the gtest binary");
    }
    suite.gtest_binary = binary.as_string();
  } else {
    suite.commands = read_commands(file.require("commands", "a non-empty list of commands"));
  }
  if (auto args = file.get("args")) {
    suite.args = args->as_string_list("strings (runner arguments)", false);
  }
  if (auto fixtures = file.get("fixtures")) {
    suite.fixtures = read_fixture_names(project, *fixtures);
  }
  if (auto timeout = file.get("test_timeout")) {
    suite.test_timeout = timeout->as_duration();
  }
  if (auto timeout = file.get("collect_timeout")) {
    suite.collect_timeout = timeout->as_duration();
  }
  if (auto reuse = file.get("reuse")) {
    suite.reuse = reuse->as_bool();
  }
  return suite;
}

}  // namespace orchestrate
