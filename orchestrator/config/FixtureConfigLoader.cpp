#include "config/ConfigLoader.hpp"
#include "config/FixtureReset.hpp"
#include "config/NamedConfigFiles.hpp"
#include "config/YamlFields.hpp"

#include <cctype>

namespace orchestrate {

namespace {

const std::vector<std::string> k_fixture_keys = {"service", "port", "readiness", "environment",
                                                 "reset"};
const std::vector<std::string> k_readiness_keys = {"kind", "log"};

constexpr const char* k_kinds = "health, port or log";
constexpr int k_max_port = 65535;

// Variables orchestrate sets itself for every shard; a fixture must not redefine them.
constexpr const char* k_reserved_prefix = "ORCHESTRATE_";
constexpr const char* k_reserved_compose_name = "COMPOSE_PROJECT_NAME";

bool is_identifier_start(char c)
{
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

bool is_identifier_char(char c)
{
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool is_variable_name(const std::string& name)
{
  if (name.empty() || !is_identifier_start(name.front())) {
    return false;
  }
  for (char c : name) {
    if (!is_identifier_char(c)) {
      return false;
    }
  }
  return true;
}

// The first `{word}` in `text` that is not {host} or {port}, or "" when there is none. Braces
// around anything other than a plain word (JSON, say) are left alone.
std::string unknown_placeholder(const std::string& text)
{
  for (std::size_t open = text.find('{'); open != std::string::npos;
       open = text.find('{', open + 1)) {
    std::size_t end = open + 1;
    while (end < text.size() && is_identifier_char(text[end])) {
      ++end;
    }
    if (end == open + 1 || end >= text.size() || text[end] != '}') {
      continue;
    }
    const std::string word = text.substr(open + 1, end - open - 1);
    if (word != "host" && word != "port") {
      return "{" + word + "}";
    }
  }
  return "";
}

ReadinessSpec read_readiness(const YamlMapping& file)
{
  ReadinessSpec readiness;
  const auto mapping = file.get_mapping("readiness", k_readiness_keys);
  if (!mapping) {
    return readiness;
  }
  const auto kind = mapping->get("kind");
  const std::string kind_name = kind ? kind->as_string() : "health";
  if (kind_name == "health") {
    readiness.kind = ReadinessSpec::Kind::k_health;
  } else if (kind_name == "port") {
    readiness.kind = ReadinessSpec::Kind::k_port;
  } else if (kind_name == "log") {
    readiness.kind = ReadinessSpec::Kind::k_log_line;
  } else {
    kind->fail_expected(std::string("one of: ") + k_kinds);
  }

  const auto log = mapping->get("log");
  if (readiness.kind == ReadinessSpec::Kind::k_log_line) {
    const auto pattern =
      mapping->require("log", "the text whose appearance in the log means ready");
    readiness.log_pattern = pattern.as_string();
    if (readiness.log_pattern.empty()) {
      pattern.fail_expected("a non-empty text to look for in the service's log");
    }
  } else if (log) {
    log->fail("'readiness.log' is only used with 'kind: log'; this fixture's kind is '" +
              kind_name + "'");
  }
  return readiness;
}

std::map<std::string, std::string> read_environment(const YamlMapping& file)
{
  std::map<std::string, std::string> environment;
  const auto value = file.get("environment");
  if (!value) {
    return environment;
  }
  for (const auto& [name, variable] : value->as_mapping().entries()) {
    if (!is_variable_name(name)) {
      variable.fail_at_key("'" + name + "' is not a valid environment variable name; expected " +
                           "letters, digits and '_', not starting with a digit");
    }
    if (name.rfind(k_reserved_prefix, 0) == 0 || name == k_reserved_compose_name) {
      variable.fail_at_key("'" + name + "' is set by orchestrate itself; choose another name");
    }
    if (environment.count(name) != 0) {
      variable.fail_at_key("environment variable '" + name + "' is given twice");
    }
    std::string text = variable.as_string();
    const std::string placeholder = unknown_placeholder(text);
    if (!placeholder.empty()) {
      variable.fail("unknown placeholder '" + placeholder + "' in '" + variable.name() +
                    "'; expected {host} or {port}");
    }
    environment.emplace(name, std::move(text));
  }
  return environment;
}

}  // namespace

FixtureConfig load_fixture_config(const ProjectConfig& project, const std::string& name)
{
  FixtureConfig fixture;
  fixture.name = name;
  const auto file = load_named_yaml(project.fixtures_dir, "fixture", name, k_fixture_keys);
  fixture.source_path = file.file();

  const auto service = file.require("service", "the compose service name (a string)");
  fixture.service = service.as_string();
  if (fixture.service.empty()) {
    service.fail_expected("a compose service name");
  }
  fixture.service_line = service.line();
  const auto port =
    file.require("port", "the port inside the container that tests reach (1 to 65535)");
  fixture.container_port = port.as_int(1, k_max_port);
  fixture.port_line = port.line();
  fixture.readiness = read_readiness(file);
  fixture.environment = read_environment(file);
  fixture.reset = read_fixture_reset(file);
  return fixture;
}

}  // namespace orchestrate
