#pragma once

#include "config/YamlFields.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace orchestrate {

// Suites and fixtures are named by the stems of the *.yaml files in their folder.

// The stems of the regular *.yaml files in `dir`, sorted; empty when `dir` does not exist.
// Throws nothing.
std::vector<std::string> list_yaml_stems(const std::filesystem::path& dir);

// `<dir>/<name>.yaml`. Throws ConfigError `unknown <kind> '<name>'; <kind>s in <dir>: a, b` when
// `name` is not one of list_yaml_stems(dir) (which also rules out names with a path in them).
std::filesystem::path find_named_yaml(const std::filesystem::path& dir,
                                      const std::string& kind,
                                      const std::string& name);

// Finds `<dir>/<name>.yaml` as find_named_yaml does, parses it (load_yaml_mapping) and checks its
// top-level keys against `allowed_keys`. Throws ConfigError as those do.
YamlMapping load_named_yaml(const std::filesystem::path& dir,
                            const std::string& kind,
                            const std::string& name,
                            const std::vector<std::string>& allowed_keys);

// "a, b" or "(none)": the names in `dir`, for messages.
std::string describe_yaml_stems(const std::filesystem::path& dir);

}  // namespace orchestrate
