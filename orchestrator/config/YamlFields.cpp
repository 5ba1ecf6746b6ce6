#include "config/YamlFields.hpp"

#include "core/Error.hpp"
#include "core/FileText.hpp"

#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <fstream>
#include <map>
#include <sstream>

namespace orchestrate {

namespace {

constexpr std::size_t k_max_quoted_length = 60;

// The 1-based line of `node`, or `fallback` when it has none. yaml-cpp gives an empty value the
// position of the token after it (often the next line), so empty values use the key's line.
int line_of(const YAML::Node& node, int fallback)
{
  if (!node.IsDefined() || node.IsNull() || node.Mark().is_null()) {
    return fallback;
  }
  return node.Mark().line + 1;
}

// What a value is, for the `got ...` part of messages.
std::string describe(const YAML::Node& node)
{
  if (!node.IsDefined()) {
    return "nothing";
  }
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "an empty value";
    case YAML::NodeType::Sequence:
      return node.size() == 0 ? "an empty list" : "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      if (node.Scalar().size() > k_max_quoted_length) {
        return "'" + node.Scalar().substr(0, k_max_quoted_length) + "...'";
      }
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

std::string describe_int_range(int min, int max)
{
  if (max == INT_MAX) {
    return min == 1 ? "a positive integer" : "an integer of at least " + std::to_string(min);
  }
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

std::string read_whole_file(const std::filesystem::path& file)
{
  auto contents = read_file_text(file);
  if (!contents) {
    throw ConfigError(file.string() + ": cannot be read; check its permissions");
  }
  return std::move(*contents);
}

}  // namespace

void throw_config_error(const std::filesystem::path& file, int line, const std::string& message)
{
  throw ConfigError(file.string() + ":" + std::to_string(line) + ": " + message);
}

void throw_yaml_parse_error(const std::filesystem::path& file, const YAML::Exception& error)
{
  const int line = error.mark.is_null() ? 1 : error.mark.line + 1;
  if (dynamic_cast<const YAML::DeepRecursion*>(&error) != nullptr) {
    // yaml-cpp says only "bad file" when its nesting limit stops it.
    throw_config_error(file, line,
                       "invalid YAML: nested deeper than the YAML parser's limit of " +
                         std::to_string(k_max_yaml_depth) +
                         " levels (mappings or lists inside each other); expected a flatter file");
  }
  throw_config_error(file, line, "invalid YAML: " + error.msg);
}

std::string join_names(const std::vector<std::string>& names)
{
  std::string joined;
  for (const auto& name : names) {
    if (!joined.empty()) {
      joined += ", ";
    }
    joined += name;
  }
  return joined;
}

YamlValue::YamlValue(std::filesystem::path file, YAML::Node node, std::string name, int key_line)
  : m_file(std::move(file)),
    m_node(std::move(node)),
    m_name(std::move(name)),
    m_key_line(key_line),
    m_line(line_of(m_node, key_line))
{
}

void YamlValue::fail(const std::string& message) const
{
  throw_config_error(m_file, m_line, message);
}

void YamlValue::fail_at_key(const std::string& message) const
{
  throw_config_error(m_file, m_key_line, message);
}

void YamlValue::fail_expected(const std::string& expected) const
{
  fail("'" + m_name + "' must be " + expected + ", got " + describe(m_node));
}

std::string YamlValue::as_string() const
{
  if (!m_node.IsScalar()) {
    fail_expected("a string");
  }
  return m_node.Scalar();
}

int YamlValue::as_int(int min, int max) const
{
  if (!m_node.IsScalar()) {
    fail_expected(describe_int_range(min, max));
  }
  const std::string& text = m_node.Scalar();
  long long number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size() || number < min || number > max) {
    fail_expected(describe_int_range(min, max));
  }
  return static_cast<int>(number);
}

bool YamlValue::as_bool() const
{
  if (m_node.IsScalar()) {
    const std::string& text = m_node.Scalar();
    if (text == "true" || text == "True" || text == "TRUE") {
      return true;
    }
    if (text == "false" || text == "False" || text == "FALSE") {
      return false;
    }
  }
  fail_expected("true or false");
}

Milliseconds YamlValue::as_duration() const
{
  if (m_node.IsScalar()) {
    if (auto duration = parse_duration(m_node.Scalar())) {
      return *duration;
    }
    if (is_duration_out_of_range(m_node.Scalar())) {
      fail("'" + m_name + "' is out of range: at most " + k_max_duration_text + ", got " +
           describe(m_node));
    }
  }
  fail_expected("a duration such as 500ms, 30s, 10m or 1h (a bare number is seconds)");
}

std::uint64_t YamlValue::as_byte_size() const
{
  if (m_node.IsScalar()) {
    if (auto bytes = parse_byte_size(m_node.Scalar())) {
      return *bytes;
    }
    if (is_byte_size_out_of_range(m_node.Scalar())) {
      fail("'" + m_name + "' is out of range: at most " + k_max_byte_size_text + ", got " +
           describe(m_node));
    }
  }
  fail_expected("a byte size such as 512MiB, 4GiB or 1g (binary units, a bare number is bytes)");
}

std::vector<std::string> YamlValue::as_string_list(const std::string& what, bool non_empty) const
{
  std::vector<std::string> strings;
  for (const auto& item : as_list(what, non_empty)) {
    strings.push_back(item.as_string());
  }
  return strings;
}

std::vector<YamlValue> YamlValue::as_list(const std::string& what, bool non_empty) const
{
  const std::string expected = (non_empty ? "a non-empty list of " : "a list of ") + what;
  if (!m_node.IsSequence() || (non_empty && m_node.size() == 0)) {
    fail_expected(expected);
  }
  std::vector<YamlValue> items;
  for (std::size_t i = 0; i < m_node.size(); ++i) {
    items.emplace_back(m_file, m_node[i], m_name + "[" + std::to_string(i) + "]", m_line);
  }
  return items;
}

YamlMapping YamlValue::as_mapping() const
{
  if (!m_node.IsMap()) {
    fail_expected("a mapping of keys");
  }
  return YamlMapping(m_file, m_node, m_name, m_line);
}

YamlMapping::YamlMapping(std::filesystem::path file, YAML::Node node, std::string name, int line)
  : m_file(std::move(file)),
    m_node(std::move(node)),
    m_name(std::move(name)),
    m_line(line_of(m_node, line))
{
}

void YamlMapping::check_keys(const std::vector<std::string>& allowed) const
{
  std::map<std::string, int> first_line_of_key;
  for (const auto& entry : m_node) {
    const int line = line_of(entry.first, m_line);
    if (!entry.first.IsScalar()) {
      throw_config_error(m_file, line, "keys must be plain names, got " + describe(entry.first));
    }
    const std::string& key = entry.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      const std::string where = m_name.empty() ? "" : " in '" + m_name + "'";
      throw_config_error(m_file, line,
                         "unknown key '" + key + "'" + where + "; expected one of: " +
                           join_names(allowed));
    }
    auto [first, inserted] = first_line_of_key.emplace(key, line);
    if (!inserted) {
      // yaml-cpp keeps both entries; which one wins would be a guess, so say so.
      throw_config_error(m_file, line,
                         "key '" + child_name(key) + "' is given twice (first at line " +
                           std::to_string(first->second) + ")");
    }
  }
}

std::optional<YamlValue> YamlMapping::get(const std::string& key) const
{
  for (const auto& entry : m_node) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) {
      return YamlValue(m_file, entry.second, child_name(key), line_of(entry.first, m_line));
    }
  }
  return std::nullopt;
}

std::optional<YamlMapping> YamlMapping::get_mapping(const std::string& key,
                                                    const std::vector<std::string>& allowed) const
{
  const auto value = get(key);
  if (!value) {
    return std::nullopt;
  }
  auto mapping = value->as_mapping();
  mapping.check_keys(allowed);
  return mapping;
}

YamlValue YamlMapping::require(const std::string& key, const std::string& expected) const
{
  auto value = get(key);
  if (!value) {
    const std::string where = m_name.empty() ? "" : " in '" + m_name + "'";
    fail("missing required key '" + key + "'" + where + "; expected " + expected);
  }
  return *value;
}

std::vector<std::pair<std::string, YamlValue>> YamlMapping::entries() const
{
  std::vector<std::pair<std::string, YamlValue>> entries;
  for (const auto& entry : m_node) {
    const int line = line_of(entry.first, m_line);
    if (!entry.first.IsScalar()) {
      throw_config_error(m_file, line, "keys must be plain names, got " + describe(entry.first));
    }
    const std::string& key = entry.first.Scalar();
    entries.emplace_back(key, YamlValue(m_file, entry.second, child_name(key), line));
  }
  return entries;
}

void YamlMapping::fail(const std::string& message) const
{
  throw_config_error(m_file, m_line, message);
}

std::string YamlMapping::child_name(const std::string& key) const
{
  return m_name.empty() ? key : m_name + "." + key;
}

YamlMapping load_yaml_mapping(const std::filesystem::path& file, std::string_view missing_hint)
{
  std::error_code error;
  if (!std::filesystem::exists(file, error)) {
    std::string message = file.string() + ": file not found";
    if (!missing_hint.empty()) {
      message += "; ";
      message += missing_hint;
    }
    throw ConfigError(message);
  }
  if (!std::filesystem::is_regular_file(file, error)) {
    throw ConfigError(file.string() + ": is not a regular file; expected a YAML file");
  }
  YAML::Node root;
  try {
    root = YAML::Load(read_whole_file(file));
  } catch (const YAML::Exception& parse_error) {
    throw_yaml_parse_error(file, parse_error);
  }
  if (!root.IsDefined() || root.IsNull()) {
    throw_config_error(file, 1, "file is empty; expected a mapping of keys");
  }
  if (!root.IsMap()) {
    throw_config_error(file, line_of(root, 1),
                       "expected a mapping of keys at the top level, got " + describe(root));
  }
  return YamlMapping(file, root, "", 1);
}

}  // namespace orchestrate
