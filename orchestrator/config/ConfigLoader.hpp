#pragma once

#include "config/ProjectConfig.hpp"
#include "config/SuiteConfig.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace orchestrate {

// Reads orchestrate.yaml, suites/<name>.yaml and fixtures/<name>.yaml.
//
// Every function throws ConfigError whose message starts with `path:line:` (1-based) and says what
// was expected, for: a file that is missing or not valid YAML, an unknown key, a missing required
// key, a value of the wrong type or out of range. A missing suite lists the suites that exist.

// Loads <root>/orchestrate.yaml.
ProjectConfig load_project_config(const std::filesystem::path& root);

// Loads <suites_dir>/<name>.yaml.
SuiteConfig load_suite_config(const ProjectConfig& project, const std::string& name);

// Loads <fixtures_dir>/<name>.yaml.
FixtureConfig load_fixture_config(const ProjectConfig& project, const std::string& name);

// The suite names found in suites_dir (file stems of *.yaml), sorted.
std::vector<std::string> list_suite_names(const ProjectConfig& project);

}  // namespace orchestrate
