#include "config/ConfigLoader.hpp"
#include "config/YamlFields.hpp"
#include "policy/LintRules.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <climits>

namespace orchestrate {

namespace {

constexpr const char* k_project_file_name = "orchestrate.yaml";

const std::vector<std::string> k_project_keys = {
  "project",      "environments", "python",        "suites_dir",
  "fixtures_dir", "lock_dir",     "state_dir",     "memory_budget",
  "allow_docker_socket_mount",    "defaults",      "policy",
  "keep_runs",    "engines",
};
const std::vector<std::string> k_environment_keys = {"compose_files"};
const std::vector<std::string> k_default_keys = {
  "parallel", "readiness_timeout", "stop_timeout", "lock_timeout", "test_timeout",
  "collect_timeout", "reuse", "reuse_ttl", "start_slots",
};

constexpr const char* k_compose_name_rule =
  "lowercase letters, digits, '_' and '-', starting with a letter or digit";

// Compose's rule for project names, which ours are built from: [a-z0-9][a-z0-9_-]*.
bool is_compose_name(const std::string& text)
{
  if (text.empty() || !std::isalnum(static_cast<unsigned char>(text.front()))) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) {
    const bool lower_or_digit = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    return lower_or_digit || c == '_' || c == '-';
  });
}

// The folder as an absolute path without a trailing separator, so joined paths read cleanly.
std::filesystem::path absolute_folder(const std::filesystem::path& folder)
{
  auto absolute = std::filesystem::absolute(folder).lexically_normal();
  if (!absolute.has_filename() && absolute != absolute.root_path()) {
    absolute = absolute.parent_path();
  }
  return absolute;
}

// A path written in the file, resolved against the project root.
std::filesystem::path resolve_path(const std::filesystem::path& root, const YamlValue& value)
{
  const std::string text = value.as_string();
  if (text.empty()) {
    value.fail_expected("a non-empty path");
  }
  return absolute_folder(root / text);
}

std::filesystem::path optional_folder(const YamlMapping& mapping,
                                      const std::string& key,
                                      const std::filesystem::path& root,
                                      const std::filesystem::path& default_relative)
{
  if (auto value = mapping.get(key)) {
    return resolve_path(root, *value);
  }
  return root / default_relative;
}

std::string read_prefix(const YamlMapping& file)
{
  const auto value = file.require("project", "the compose project prefix, e.g. 'project: shop'");
  std::string prefix = value.as_string();
  std::transform(prefix.begin(), prefix.end(), prefix.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!is_compose_name(prefix)) {
    value.fail_expected(std::string("a compose project name (") + k_compose_name_rule + ")");
  }
  return prefix;
}

EnvironmentConfig read_environment(const std::filesystem::path& root,
                                   const std::string& name,
                                   const YamlValue& value)
{
  if (!is_compose_name(name)) {
    value.fail_at_key("environment name '" + name + "' must be " + k_compose_name_rule +
               ": it becomes part of compose project names");
  }
  const auto mapping = value.as_mapping();
  mapping.check_keys(k_environment_keys);
  const auto files = mapping.require("compose_files", "a non-empty list of compose files")
                       .as_list("compose file paths (relative to the project root)", true);
  EnvironmentConfig environment;
  environment.name = name;
  for (const auto& file : files) {
    auto path = resolve_path(root, file);
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
      file.fail("compose file '" + file.as_string() + "' not found (looked for " + path.string() +
                ")");
    }
    environment.compose_files.push_back(std::move(path));
  }
  return environment;
}

std::map<std::string, EnvironmentConfig> read_environments(const std::filesystem::path& root,
                                                           const YamlMapping& file)
{
  const auto mapping =
    file.require("environments", "a mapping with at least 'test: {compose_files: [...]}'")
      .as_mapping();
  std::map<std::string, EnvironmentConfig> environments;
  std::vector<std::string> names;
  for (const auto& [name, value] : mapping.entries()) {
    if (environments.count(name) != 0) {
      value.fail_at_key("environment '" + name + "' is defined twice");
    }
    environments.emplace(name, read_environment(root, name, value));
    names.push_back(name);
  }
  if (environments.count("test") == 0) {
    mapping.fail("'environments' must define 'test' (the stacks tests run against); defined: " +
                 join_names(names));
  }
  return environments;
}

RunDefaults read_defaults(const YamlMapping& file)
{
  RunDefaults defaults;
  const auto mapping = file.get_mapping("defaults", k_default_keys);
  if (!mapping) {
    return defaults;
  }
  if (auto parallel = mapping->get("parallel")) {
    if (parallel->node().IsScalar() && parallel->node().Scalar() == "auto") {
      defaults.parallel_auto = true;
    } else {
      defaults.parallel = parallel->as_int(1, INT_MAX);
    }
  }
  if (auto timeout = mapping->get("readiness_timeout")) {
    defaults.readiness_timeout = timeout->as_duration();
    if (defaults.readiness_timeout.count() == 0) {
      // Zero would fail every stack before it could start.
      timeout->fail_expected("a duration longer than 0");
    }
  }
  if (auto timeout = mapping->get("stop_timeout")) {
    defaults.stop_timeout = timeout->as_duration();
  }
  if (auto timeout = mapping->get("lock_timeout")) {
    defaults.lock_timeout = timeout->as_duration();
  }
  if (auto timeout = mapping->get("test_timeout")) {
    defaults.test_timeout = timeout->as_duration();
  }
  if (auto timeout = mapping->get("collect_timeout")) {
    defaults.collect_timeout = timeout->as_duration();
    if (defaults.collect_timeout.count() == 0) {
      timeout->fail_expected("a duration longer than 0");  // would fail every collection
    }
  }
  if (auto reuse = mapping->get("reuse")) {
    defaults.reuse = reuse->as_bool();
  }
  if (auto slots = mapping->get("start_slots")) {
    defaults.start_slots = slots->as_int(0, INT_MAX);  // 0: unlimited
  }
  if (auto ttl = mapping->get("reuse_ttl")) {
    defaults.reuse_ttl = ttl->as_duration();
    if (defaults.reuse_ttl.count() == 0) {
      ttl->fail_expected("a duration longer than 0");  // a warm stack would expire at once
    }
  }
  return defaults;
}

// `policy: {rule: error|warn|off}`: only rules that exist (lint_rule::k_names), each once.
std::map<std::string, RuleLevel> read_policy(const YamlMapping& file)
{
  std::map<std::string, RuleLevel> levels;
  const auto mapping = file.get_mapping(
    "policy", std::vector<std::string>(lint_rule::k_names.begin(), lint_rule::k_names.end()));
  if (!mapping) {
    return levels;
  }
  for (const auto& [rule, value] : mapping->entries()) {
    const std::string level = value.as_string();
    if (level == "error") {
      levels[rule] = RuleLevel::k_error;
    } else if (level == "warn") {
      levels[rule] = RuleLevel::k_warn;
    } else if (level == "off") {
      levels[rule] = RuleLevel::k_off;
    } else {
      value.fail_expected("error, warn or off");
    }
  }
  return levels;
}

}  // namespace

ProjectConfig load_project_config(const std::filesystem::path& root)
{
  ProjectConfig config;
  config.root = absolute_folder(root);
  config.source_path = config.root / k_project_file_name;
  spdlog::debug("reading project configuration {}", config.source_path.string());
  const auto file = load_yaml_mapping(
    config.source_path, "run orchestrate from the project root or pass --project-dir");
  file.check_keys(k_project_keys);

  config.prefix = read_prefix(file);
  config.environments = read_environments(config.root, file);
  if (auto python = file.get("python")) {
    config.python = python->as_string();
    if (config.python.empty()) {
      python->fail_expected("a path to a Python interpreter");
    }
  }
  config.suites_dir = optional_folder(file, "suites_dir", config.root, "suites");
  config.fixtures_dir = optional_folder(file, "fixtures_dir", config.root, "fixtures");
  config.lock_dir = optional_folder(file, "lock_dir", config.root, ".orchestrate/locks");
  config.state_dir = optional_folder(file, "state_dir", config.root, ".orchestrate");
  if (auto keep = file.get("keep_runs")) {
    config.keep_runs = keep->as_int(0, INT_MAX);
  }
  if (auto budget = file.get("memory_budget")) {
    config.memory_budget_bytes = budget->as_byte_size();
    if (config.memory_budget_bytes == 0) {
      budget->fail_expected("a byte size larger than 0");
    }
  }
  if (auto allow = file.get("allow_docker_socket_mount")) {
    config.allow_docker_socket_mount = allow->as_bool();
  }
  config.defaults = read_defaults(file);
  config.policy = read_policy(file);
  config.engines = read_engine_configs(file, config.root);
  return config;
}

}  // namespace orchestrate
