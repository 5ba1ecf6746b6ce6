#include "config/EngineConfig.hpp"

#include "config/YamlFields.hpp"

#include <algorithm>
#include <climits>
#include <set>

namespace orchestrate {

namespace {

const std::vector<std::string> k_engine_keys = {"name",       "host",          "context", "tls",
                                                "ssh_config", "memory_budget", "address",
                                                "start_slots"};
const std::vector<std::string> k_tls_keys = {"ca", "cert", "key"};
const std::vector<std::string> k_schemes = {"unix://", "tcp://", "ssh://"};

bool is_engine_name(const std::string& text)
{
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::filesystem::path read_file_path(const std::filesystem::path& root, const YamlValue& value)
{
  const std::filesystem::path path = value.as_string();
  return (path.is_absolute() ? path : root / path).lexically_normal();
}

std::string read_host(const YamlValue& value)
{
  const std::string host = value.as_string();
  const bool known = std::any_of(k_schemes.begin(), k_schemes.end(), [&](const std::string& scheme) {
    return host.starts_with(scheme) && host.size() > scheme.size();
  });
  if (!known) {
    value.fail_expected("unix:///path/to/docker.sock, tcp://host:port or ssh://[user@]host[:port]");
  }
  return host;
}

TlsFiles read_tls(const YamlMapping& tls, const std::filesystem::path& root)
{
  const std::string expected = "a path to a PEM file";
  const YamlValue ca = tls.require("ca", expected);
  TlsFiles files{read_file_path(root, ca), read_file_path(root, tls.require("cert", expected)),
                 read_file_path(root, tls.require("key", expected))};
  // The compose child is pointed at the engine with DOCKER_CERT_PATH, a folder from which the
  // docker CLI reads these three names.
  const auto folder = files.ca.parent_path();
  if (files.ca != folder / "ca.pem" || files.cert != folder / "cert.pem" ||
      files.key != folder / "key.pem") {
    ca.fail_at_key("'tls' must name ca.pem, cert.pem and key.pem of one folder (compose reads "
                   "them by these names from DOCKER_CERT_PATH); got " + files.ca.string() + ", " +
                   files.cert.string() + ", " + files.key.string());
  }
  return files;
}

EngineConfig read_engine(const YamlValue& item, const std::filesystem::path& root)
{
  const YamlMapping mapping = item.as_mapping();
  mapping.check_keys(k_engine_keys);
  EngineConfig engine;
  engine.source_path = mapping.file();
  engine.line = item.line();
  const YamlValue name = mapping.require("name", "a name for the engine, e.g. 'build-2'");
  engine.name = name.as_string();
  if (!is_engine_name(engine.name)) {
    name.fail_expected("lowercase letters, digits, '_' and '-'");
  }
  const auto host = mapping.get("host");
  const auto context = mapping.get("context");
  if (host && context) {
    context->fail_at_key("engine '" + engine.name +
                         "' has both 'host' and 'context'; expected one of them");
  }
  if (!host && !context) {
    mapping.fail("engine '" + engine.name +
                 "' needs 'host' (unix://, tcp:// or ssh://) or 'context' (a docker context)");
  }
  if (host) {
    engine.host = read_host(*host);
  } else {
    engine.context = context->as_string();
  }
  if (const auto tls = mapping.get_mapping("tls", k_tls_keys)) {
    if (!engine.host.starts_with("tcp://")) {
      mapping.get("tls")->fail_at_key("'tls' applies to a tcp:// host only (engine '" +
                                      engine.name + "' has " +
                                      (engine.host.empty() ? "a context" : engine.host) + ")");
    }
    engine.tls = read_tls(*tls, root);
  }
  if (const auto ssh_config = mapping.get("ssh_config")) {
    if (!engine.host.starts_with("ssh://")) {
      ssh_config->fail_at_key("'ssh_config' applies to an ssh:// host only");
    }
    engine.ssh_config = read_file_path(root, *ssh_config);
  }
  if (const auto budget = mapping.get("memory_budget")) {
    engine.memory_budget_bytes = budget->as_byte_size();
    if (*engine.memory_budget_bytes == 0) {
      budget->fail_expected("a byte size larger than 0");
    }
  }
  if (const auto slots = mapping.get("start_slots")) {
    engine.start_slots = slots->as_int(0, INT_MAX);  // 0: unlimited
  }
  if (const auto address = mapping.get("address")) {
    engine.address = address->as_string();
    if (engine.address.find_first_of(" \t/[]") != std::string::npos) {
      address->fail_expected("a host name or an IP address, e.g. 10.0.0.12");
    }
  }
  return engine;
}

}  // namespace

std::vector<EngineConfig> read_engine_configs(const YamlMapping& file,
                                              const std::filesystem::path& root)
{
  std::vector<EngineConfig> engines;
  const auto value = file.get("engines");
  if (!value) {
    return engines;
  }
  std::set<std::string> names;
  for (const auto& item : value.value().as_list("engines, each with 'name' and 'host' or 'context'",
                                                true)) {
    EngineConfig engine = read_engine(item, root);
    if (!names.insert(engine.name).second) {
      item.fail("engine '" + engine.name + "' is defined twice; expected unique names");
    }
    engines.push_back(std::move(engine));
  }
  return engines;
}

}  // namespace orchestrate
