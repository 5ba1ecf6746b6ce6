#include "reporting/JunitXml.hpp"

#include "core/Error.hpp"
#include "core/FileText.hpp"

#include <pugixml.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace orchestrate {

namespace {

constexpr const char* k_xfail_type = "pytest.xfail";

// Names of the per-testcase properties write_junit_xml adds and read_junit_xml understands.
constexpr const char* k_property_shard = "shard";
constexpr const char* k_property_attempts = "attempts";
constexpr const char* k_property_flaky = "flaky";
constexpr const char* k_property_outcome = "outcome";
constexpr const char* k_property_id = "id";
constexpr const char* k_property_engine = "engine";

std::vector<std::string> split(const std::string& text, char separator)
{
  std::vector<std::string> parts;
  std::string part;
  std::istringstream stream(text);
  while (std::getline(stream, part, separator)) {
    parts.push_back(part);
  }
  return parts;
}

bool starts_with_upper(const std::string& text)
{
  return !text.empty() && std::isupper(static_cast<unsigned char>(text.front()));
}

bool is_python_identifier(const std::string& text)
{
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text.front()))) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// pytest's default python_files: test_*.py and *_test.py.
bool is_test_module_name(const std::string& text)
{
  return text.rfind("test_", 0) == 0 ||
         (text.size() > 5 && text.compare(text.size() - 5, 5, "_test") == 0);
}

// "suites.integration.test_pg.TestCls" -> "suites/integration/test_pg.py::TestCls", or nullopt
// when the dotted name is not a test module followed only by (capitalised) class names.
std::optional<std::string> pytest_node_prefix(const std::string& dotted)
{
  const std::vector<std::string> parts = split(dotted, '.');
  if (parts.empty() || !std::all_of(parts.begin(), parts.end(), is_python_identifier)) {
    return std::nullopt;
  }
  // The module is the last component that is not a class; everything before it is the package.
  auto module = std::find_if(parts.rbegin(), parts.rend(),
                             [](const std::string& part) { return !starts_with_upper(part); });
  if (module == parts.rend() || !is_test_module_name(*module)) {
    return std::nullopt;
  }
  const auto module_index = static_cast<std::size_t>(parts.rend() - module - 1);
  std::string prefix;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i < module_index) {
      prefix += parts[i] + "/";
    } else if (i == module_index) {
      prefix += parts[i] + ".py";
    } else {
      prefix += "::" + parts[i];
    }
  }
  return prefix;
}

// pytest's xunit1 `file` attribute names the module exactly; classes are what the classname has
// beyond the module's dotted path.
std::optional<std::string> node_prefix_from_file(const std::string& classname,
                                                 const std::string& file)
{
  if (file.size() < 4 || file.compare(file.size() - 3, 3, ".py") != 0) {
    return std::nullopt;
  }
  std::string dotted_module = file.substr(0, file.size() - 3);
  std::replace(dotted_module.begin(), dotted_module.end(), '/', '.');
  if (classname == dotted_module) {
    return file;
  }
  if (classname.rfind(dotted_module + ".", 0) != 0) {
    return std::nullopt;
  }
  std::string prefix = file;
  for (const std::string& part : split(classname.substr(dotted_module.size() + 1), '.')) {
    prefix += "::" + part;
  }
  return prefix;
}

// The id a runner would print for this testcase: pytest's node id, GoogleTest's `Suite.Test`
// (what --gtest_filter takes), ctest's test name.
std::string rebuild_test_id(const std::string& classname, const std::string& name,
                            const std::string& file)
{
  if (auto prefix = node_prefix_from_file(classname, file)) {
    return *prefix + "::" + name;
  }
  if (classname.empty()) {
    // pytest reports a module that failed to import as classname="" name="pkg.test_mod".
    if (auto module = pytest_node_prefix(name); module && module->find("::") == std::string::npos) {
      return *module;
    }
    return name;
  }
  if (auto prefix = pytest_node_prefix(classname)) {
    return *prefix + "::" + name;
  }
  if (classname == name) {
    return name;
  }
  return classname + "." + name;
}

// All text of an element: pytest writes PCDATA, GoogleTest CDATA.
std::string element_text(const pugi::xml_node& element)
{
  std::string text;
  for (const pugi::xml_node& child : element.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text += child.value();
    }
  }
  return text;
}

// Messages are shown on one line; GoogleTest's start with "file:line\n", pytest's may span lines.
std::string one_line(const std::string& text)
{
  std::string line;
  for (const std::string& raw : split(text, '\n')) {
    const auto begin = raw.find_first_not_of(" \t\r");
    if (begin == std::string::npos) {
      continue;
    }
    const auto end = raw.find_last_not_of(" \t\r");
    if (!line.empty()) {
      line += ' ';
    }
    line += raw.substr(begin, end - begin + 1);
  }
  return line;
}

Milliseconds parse_seconds(const char* text)
{
  double seconds = 0;
  const char* end = text + std::strlen(text);
  const auto [ptr, error] = std::from_chars(text, end, seconds);
  if (error != std::errc() || !std::isfinite(seconds) || seconds < 0) {
    return Milliseconds{0};
  }
  return Milliseconds{std::llround(seconds * 1000.0)};
}

std::optional<int> parse_int(const std::string& text)
{
  int value = 0;
  const auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// How bad an outcome is, for testcases that carry several result elements or appear twice (pytest
// writes a test that fails and then errors in teardown as two testcases).
int severity(Outcome outcome)
{
  switch (outcome) {
    case Outcome::k_failed:
      return 2;
    case Outcome::k_error:
      return 1;
    default:
      return 0;
  }
}

void append_details(std::string& details, const std::string& more)
{
  if (more.empty()) {
    return;
  }
  if (!details.empty()) {
    details += "\n";
  }
  details += more;
}

// Reads the result element (<failure>, <error>, <skipped>) of a testcase, and GoogleTest's
// status="notrun" (disabled) / result="skipped" attributes.
void read_outcome(const pugi::xml_node& testcase, TestResult& result)
{
  bool found = false;
  for (const pugi::xml_node& child : testcase.children()) {
    const std::string tag = child.name();
    Outcome outcome;
    if (tag == "failure") {
      outcome = Outcome::k_failed;
    } else if (tag == "error") {
      outcome = Outcome::k_error;
    } else if (tag == "skipped") {
      outcome = std::string(child.attribute("type").value()) == k_xfail_type ? Outcome::k_xfailed
                                                                              : Outcome::k_skipped;
    } else {
      continue;
    }
    const std::string text = element_text(child);
    if (!found || severity(outcome) > severity(result.outcome)) {
      result.outcome = outcome;
      const std::string message = child.attribute("message").value();
      result.message = one_line(message.empty() ? text : message);
    }
    append_details(result.details, text);
    found = true;
  }
  if (!found) {
    const std::string status = testcase.attribute("status").value();
    const std::string gtest_result = testcase.attribute("result").value();
    if (status == "notrun" || status == "disabled") {
      result.outcome = Outcome::k_skipped;
      result.message = "disabled";
    } else if (gtest_result == "skipped") {
      result.outcome = Outcome::k_skipped;
    }
  }
  append_details(result.details, element_text(testcase.child("system-out")));
  append_details(result.details, element_text(testcase.child("system-err")));
}

// Reads the properties write_junit_xml adds; other properties (pytest's record_property) are
// ignored. Returns the `id` property, if any.
std::optional<std::string> read_properties(const pugi::xml_node& testcase, TestResult& result,
                                           const std::string& origin)
{
  std::optional<std::string> id;
  for (const pugi::xml_node& property : testcase.child("properties").children("property")) {
    const std::string name = property.attribute("name").value();
    const std::string value = property.attribute("value").value();
    if (name == k_property_shard || name == k_property_attempts) {
      const std::optional<int> number = parse_int(value);
      if (!number || *number < 0) {
        spdlog::debug("{}: ignoring property {}=\"{}\" of {}: not a count", origin, name, value,
                      result.name);
        continue;
      }
      (name == k_property_shard ? result.shard : result.attempts) = *number;
    } else if (name == k_property_flaky) {
      result.flaky = value == "true";
    } else if (name == k_property_outcome) {
      result.outcome = parse_outcome(value).value_or(result.outcome);
    } else if (name == k_property_engine) {
      result.engine = value;
    } else if (name == k_property_id) {
      id = value;
    }
  }
  return id;
}

TestResult read_testcase(const pugi::xml_node& testcase, const std::string& origin)
{
  TestResult result;
  result.classname = testcase.attribute("classname").value();
  result.name = testcase.attribute("name").value();
  result.duration = parse_seconds(testcase.attribute("time").value());
  read_outcome(testcase, result);
  const std::optional<std::string> id = read_properties(testcase, result, origin);
  const std::string file = testcase.attribute("file").value();
  result.id = id ? *id : rebuild_test_id(result.classname, result.name, file);
  return result;
}

void collect_testcases(const pugi::xml_node& suite, std::vector<pugi::xml_node>& testcases)
{
  for (const pugi::xml_node& child : suite.children()) {
    const std::string tag = child.name();
    if (tag == "testcase") {
      testcases.push_back(child);
    } else if (tag == "testsuite") {
      collect_testcases(child, testcases);
    }
  }
}

// pytest's bin_xml_escape: characters XML 1.0 cannot carry (ANSI colour escapes in captured
// output) become "#x1B" instead of making the whole report unreadable.
std::string xml_safe(const std::string& text)
{
  std::string safe;
  safe.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "#x%02X", byte);
      safe += escaped;
    } else {
      safe += c;
    }
  }
  return safe;
}

std::string format_seconds_attribute(Milliseconds duration)
{
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", static_cast<double>(duration.count()) / 1000.0);
  return buffer;
}

void add_property(pugi::xml_node& properties, const char* name, const std::string& value)
{
  pugi::xml_node property = properties.append_child("property");
  property.append_attribute("name") = name;
  property.append_attribute("value") = value.c_str();
}

void add_result_element(pugi::xml_node& testcase, const char* tag, const TestResult& result,
                        const char* type = nullptr)
{
  pugi::xml_node element = testcase.append_child(tag);
  if (type != nullptr) {
    element.append_attribute("type") = type;
  }
  element.append_attribute("message") = xml_safe(result.message).c_str();
  if (!result.details.empty()) {
    element.append_child(pugi::node_pcdata).set_value(xml_safe(result.details).c_str());
  }
}

void write_testcase(pugi::xml_node& suite, const TestResult& result)
{
  pugi::xml_node testcase = suite.append_child("testcase");
  // A plain command has only an id; JUnit consumers need a name.
  const bool id_only = result.classname.empty() && result.name.empty();
  const std::string name = id_only ? result.id : result.name;
  testcase.append_attribute("classname") = result.classname.c_str();
  testcase.append_attribute("name") = name.c_str();
  testcase.append_attribute("time") = format_seconds_attribute(result.duration).c_str();

  pugi::xml_node properties = testcase.append_child("properties");
  add_property(properties, k_property_shard, std::to_string(result.shard));
  add_property(properties, k_property_attempts, std::to_string(result.attempts));
  if (!result.engine.empty()) {
    add_property(properties, k_property_engine, result.engine);
  }
  if (result.flaky) {
    add_property(properties, k_property_flaky, "true");
  }
  if (result.outcome == Outcome::k_xpassed) {
    // JUnit has no element for an unexpected pass; pytest writes it as a plain pass.
    add_property(properties, k_property_outcome, std::string(outcome_name(result.outcome)));
  }
  if (rebuild_test_id(result.classname, name, "") != result.id) {
    add_property(properties, k_property_id, result.id);
  }

  switch (result.outcome) {
    case Outcome::k_failed:
      add_result_element(testcase, "failure", result);
      break;
    case Outcome::k_error:
      add_result_element(testcase, "error", result);
      break;
    case Outcome::k_skipped:
      add_result_element(testcase, "skipped", result, "pytest.skip");
      break;
    case Outcome::k_xfailed:
      add_result_element(testcase, "skipped", result, k_xfail_type);
      break;
    case Outcome::k_passed:
    case Outcome::k_xpassed:
      if (!result.details.empty()) {
        testcase.append_child("system-out")
          .append_child(pugi::node_pcdata)
          .set_value(xml_safe(result.details).c_str());
      }
      break;
  }
}

int line_of_offset(const std::string& text, std::ptrdiff_t offset)
{
  const auto end = text.begin() + std::clamp<std::ptrdiff_t>(offset, 0, std::ssize(text));
  return 1 + static_cast<int>(std::count(text.begin(), end, '\n'));
}

}  // namespace

std::vector<TestResult> parse_junit_xml(const std::string& xml, const std::string& origin)
{
  pugi::xml_document document;
  const pugi::xml_parse_result parsed = document.load_buffer(xml.data(), xml.size());
  if (!parsed) {
    throw InternalError(origin + ":" + std::to_string(line_of_offset(xml, parsed.offset)) +
                        ": not well-formed JUnit XML: " + parsed.description());
  }
  const pugi::xml_node root = document.document_element();
  const std::string root_name = root.name();
  if (root_name != "testsuites" && root_name != "testsuite") {
    throw InternalError(origin + ": not a JUnit XML report: the root element is <" + root_name +
                        ">, expected <testsuites> or <testsuite>");
  }
  std::vector<pugi::xml_node> testcases;
  collect_testcases(root, testcases);

  std::vector<TestResult> results;
  std::map<std::string, std::size_t> index_by_id;
  for (const pugi::xml_node& testcase : testcases) {
    TestResult result = read_testcase(testcase, origin);
    const auto [found, inserted] = index_by_id.emplace(result.id, results.size());
    if (inserted) {
      results.push_back(std::move(result));
      continue;
    }
    // One test reported twice in one file (pytest: failed in the body, then errored in
    // teardown): one result, with the worse outcome and both texts.
    TestResult& earlier = results[found->second];
    if (severity(result.outcome) > severity(earlier.outcome)) {
      earlier.outcome = result.outcome;
      earlier.message = result.message;
    }
    earlier.duration = std::max(earlier.duration, result.duration);
    append_details(earlier.details, result.details);
  }
  return results;
}

std::vector<TestResult> read_junit_xml(const std::filesystem::path& file)
{
  const auto content = read_file_text(file);
  if (!content) {
    throw InternalError("cannot read JUnit XML " + file.string() + ": " + std::strerror(errno));
  }
  return parse_junit_xml(*content, file.string());
}

void write_junit_xml(const std::filesystem::path& file, const std::vector<TestResult>& results,
                     Milliseconds total_time)
{
  const SummaryCounts counts = count_outcomes(results);
  pugi::xml_document document;
  pugi::xml_node declaration = document.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "utf-8";
  pugi::xml_node suite = document.append_child("testsuites").append_child("testsuite");
  // pytest's attribute order and meaning: xfailed tests count as skipped.
  suite.append_attribute("name") = "orchestrate";
  suite.append_attribute("errors") = counts.errors;
  suite.append_attribute("failures") = counts.failed;
  suite.append_attribute("skipped") = counts.skipped + counts.xfailed;
  suite.append_attribute("tests") = static_cast<unsigned long long>(results.size());
  suite.append_attribute("time") = format_seconds_attribute(total_time).c_str();
  for (const TestResult& result : results) {
    write_testcase(suite, result);
  }

  std::error_code error;
  if (file.has_parent_path()) {
    std::filesystem::create_directories(file.parent_path(), error);
  }
  std::ofstream stream(file, std::ios::binary | std::ios::trunc);
  if (stream) {
    document.save(stream, "  ", pugi::format_default, pugi::encoding_utf8);
    stream.close();
  }
  if (!stream) {
    throw InternalError("cannot write JUnit XML " + file.string() + ": " + std::strerror(errno));
  }
}

}  // namespace orchestrate
