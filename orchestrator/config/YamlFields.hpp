#pragma once

#include "core/Quantities.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orchestrate {

class YamlMapping;

// One value of a configuration file, with what a message about it needs: the file, the line and a
// dotted name (`defaults.parallel`, `commands[1].run`). The typed readers check the type and range
// and throw ConfigError `path:line: 'name' must be <expected>, got <what it is>` otherwise.
// Copies are cheap: yaml-cpp nodes are handles into the parsed document.
class YamlValue
{
public:
  // `key_line` is the 1-based line of the key (or list item) the value belongs to; it is also used
  // when the node has no position of its own (an empty value).
  YamlValue(std::filesystem::path file, YAML::Node node, std::string name, int key_line);

  const std::string& name() const
  {
    return m_name;
  }

  // The 1-based line of the value, as used in messages.
  int line() const
  {
    return m_line;
  }

  // Throws ConfigError `path:line: <message>` at this value's line.
  [[noreturn]] void fail(const std::string& message) const;

  // Throws ConfigError `path:line: <message>` at the line of this value's key: for messages about
  // the key itself, which may be on another line than a block value.
  [[noreturn]] void fail_at_key(const std::string& message) const;

  // Throws ConfigError `path:line: 'name' must be <expected>, got <this value>`.
  [[noreturn]] void fail_expected(const std::string& expected) const;

  // A scalar, as written. Throws ConfigError for an empty value, a list or a mapping.
  std::string as_string() const;

  // An integer in [min, max]. Throws ConfigError otherwise, also for a number of any length
  // outside it (never wrapped or clamped).
  int as_int(int min, int max) const;

  // `true` or `false` (also True/TRUE/False/FALSE, as YAML 1.2); not yes/no/on/off, which are easy
  // to write by mistake. Throws ConfigError otherwise.
  bool as_bool() const;

  // A duration as parse_duration reads it ("30s", "10m", 0). Throws ConfigError otherwise; a
  // duration longer than k_max_duration is `'name' is out of range: at most ...`.
  Milliseconds as_duration() const;

  // A byte size as parse_byte_size reads it ("4GiB", "512m"). Throws ConfigError otherwise; a
  // size above k_max_byte_size is `'name' is out of range: at most 1PiB, got ...`.
  std::uint64_t as_byte_size() const;

  // A list of scalars. `what` names the items for messages ("fixture names" gives `'fixtures' must
  // be a list of fixture names, got a mapping`). Throws ConfigError for anything else, or for an
  // empty list when `non_empty`.
  std::vector<std::string> as_string_list(const std::string& what, bool non_empty) const;

  // The items of a list, named `name[i]`; `what` names the items as for as_string_list. Throws
  // ConfigError when this is not a list, or is empty when `non_empty`.
  std::vector<YamlValue> as_list(const std::string& what, bool non_empty) const;

  // This value as a mapping. Throws ConfigError when it is not one.
  YamlMapping as_mapping() const;

  // The value itself, e.g. to read an item's own position.
  const YAML::Node& node() const
  {
    return m_node;
  }

private:
  std::filesystem::path m_file;
  YAML::Node m_node;
  std::string m_name;
  int m_key_line;
  int m_line;
};

// A mapping of a configuration file, read key by key. Keys are looked up by their text; check_keys
// makes unknown and repeated keys errors, so every loader calls it first.
class YamlMapping
{
public:
  // `name` is the dotted name of the mapping ("" for the root, "defaults", "commands[0]").
  YamlMapping(std::filesystem::path file, YAML::Node node, std::string name, int line);

  // Throws ConfigError at the first key that is not a plain string, not in `allowed` (the message
  // lists `allowed`), or given twice.
  void check_keys(const std::vector<std::string>& allowed) const;

  // The value of `key`, or nullopt when the key is absent.
  std::optional<YamlValue> get(const std::string& key) const;

  // The value of `key` as a mapping whose keys are checked against `allowed` (as check_keys does),
  // or nullopt when the key is absent. Throws ConfigError when the value is not such a mapping.
  std::optional<YamlMapping> get_mapping(const std::string& key,
                                         const std::vector<std::string>& allowed) const;

  // The value of `key`. Throws ConfigError `path:line: missing required key 'key' in 'name';
  // expected <expected>` at the mapping's line when it is absent.
  YamlValue require(const std::string& key, const std::string& expected) const;

  // Every key with its value, in file order.
  std::vector<std::pair<std::string, YamlValue>> entries() const;

  // Throws ConfigError `path:line: <message>` at the mapping's line.
  [[noreturn]] void fail(const std::string& message) const;

  const std::filesystem::path& file() const
  {
    return m_file;
  }

private:
  std::string child_name(const std::string& key) const;

  std::filesystem::path m_file;
  YAML::Node m_node;
  std::string m_name;
  int m_line;
};

// Reads and parses one configuration file and returns its root mapping.
// Throws ConfigError: `path: file not found` (followed by `missing_hint` when given), `path:line:
// invalid YAML: ...`, `path:1: file is empty; expected a mapping of keys`, or `path:line: expected
// a mapping of keys at the top level, got ...`.
YamlMapping load_yaml_mapping(const std::filesystem::path& file,
                              std::string_view missing_hint = {});

// Throws ConfigError `path:line: message`; `line` is 1-based.
[[noreturn]] void throw_config_error(const std::filesystem::path& file,
                                     int line,
                                     const std::string& message);

// How deep yaml-cpp lets mappings and lists nest (its DepthGuard) before it gives up.
inline constexpr int k_max_yaml_depth = 2000;

// Throws ConfigError `path:line: invalid YAML: ...` for a parse error of `file`; for the nesting
// limit (yaml-cpp's own message is just "bad file") the message names the limit.
[[noreturn]] void throw_yaml_parse_error(const std::filesystem::path& file,
                                         const YAML::Exception& error);

// "a, b, c": for the lists of allowed values that messages show.
std::string join_names(const std::vector<std::string>& names);

}  // namespace orchestrate
