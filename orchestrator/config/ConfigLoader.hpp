#pragma once

#include "config/ProjectConfig.hpp"
#include "config/SuiteConfig.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace orchestrate {

// Reads orchestrate.yaml, suites/<name>.yaml and fixtures/<name>.yaml.
//
// The loaders throw ConfigError whose message starts with `path:line:` (1-based) and says what was
// expected, for: a file that is not valid YAML, an unknown key, a missing required key, a value of
// the wrong type or out of range. Messages without a line: `path: file not found`, and for an
// unknown suite or fixture name `unknown suite 'x'; suites in <dir>: a, b`.
// The formats and every default are described in docs/configuration.md.

// Loads <root>/orchestrate.yaml. `root` may be relative; the returned paths are all absolute.
ProjectConfig load_project_config(const std::filesystem::path& root);

// Loads <suites_dir>/<name>.yaml, checking that each fixture it names has a file in fixtures_dir.
SuiteConfig load_suite_config(const ProjectConfig& project, const std::string& name);

// Loads <fixtures_dir>/<name>.yaml.
FixtureConfig load_fixture_config(const ProjectConfig& project, const std::string& name);

// The suite names found in suites_dir (file stems of *.yaml), sorted; empty when the folder is
// missing. Throws nothing.
std::vector<std::string> list_suite_names(const ProjectConfig& project);

}  // namespace orchestrate
