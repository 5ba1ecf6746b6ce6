#include "docker/EngineEndpoint.hpp"

#include "core/Error.hpp"
#include "docker/DockerContext.hpp"

#include <algorithm>

namespace orchestrate {

namespace {

constexpr const char* k_default_host = "unix:///var/run/docker.sock";

std::string variable(const std::map<std::string, std::string>& environment, const char* name)
{
  const auto found = environment.find(name);
  return found == environment.end() ? std::string() : found->second;
}

// The host part of tcp://host:port or ssh://user@host:port ("[::1]" stays bracketed).
std::string url_host(const std::string& host)
{
  std::string rest = host.substr(host.find("://") + 3);
  rest = rest.substr(0, rest.find('/'));
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    rest = rest.substr(at + 1);
  }
  if (rest.starts_with('[')) {
    return rest.substr(0, rest.find(']') + 1);
  }
  return rest.substr(0, rest.find(':'));
}

std::string default_address(const std::string& host)
{
  if (engine_scheme(host) == "unix") {
    return "127.0.0.1";
  }
  const std::string name = url_host(host);
  return name == "localhost" ? "127.0.0.1" : name;
}

void check_scheme(const std::string& host, const std::string& where)
{
  if (host.find("://") != std::string::npos && !host.starts_with("unix://") &&
      !host.starts_with("tcp://") && !host.starts_with("ssh://")) {
    throw EnvironmentError(where + " " + host +
                           " is not supported: use unix:///path/to/docker.sock, tcp://host:port "
                           "or ssh://[user@]host[:port]");
  }
}

EngineEndpoint endpoint_of_context(const std::string& context,
                                   const std::map<std::string, std::string>& environment)
{
  const auto read = read_docker_context(context, docker_config_dir(environment));
  EngineEndpoint endpoint;
  endpoint.host = read.host.empty() ? k_default_host : read.host;
  check_scheme(endpoint.host, "docker context '" + context + "' has the host");
  endpoint.tls = read.tls;
  endpoint.origin = "docker context '" + context + "'";
  return endpoint;
}

}  // namespace

std::string engine_scheme(const std::string& host)
{
  if (host.starts_with("tcp://")) {
    return "tcp";
  }
  if (host.starts_with("ssh://")) {
    return "ssh";
  }
  return "unix";
}

EngineEndpoint default_engine_endpoint(const std::map<std::string, std::string>& environment)
{
  EngineEndpoint endpoint;
  const std::string docker_host = variable(environment, "DOCKER_HOST");
  if (!docker_host.empty()) {
    check_scheme(docker_host, "DOCKER_HOST=");
    endpoint.host = docker_host;
    endpoint.origin = "DOCKER_HOST";
    const std::string verify = variable(environment, "DOCKER_TLS_VERIFY");
    if (engine_scheme(docker_host) == "tcp" && !verify.empty() && verify != "0") {
      // As the docker CLI: the three files by fixed names in DOCKER_CERT_PATH (~/.docker).
      std::filesystem::path dir = variable(environment, "DOCKER_CERT_PATH");
      if (dir.empty()) {
        dir = docker_config_dir(environment);
      }
      endpoint.tls = TlsFiles{dir / "ca.pem", dir / "cert.pem", dir / "key.pem"};
    }
  } else {
    const std::string context = current_docker_context(environment);
    if (context != "default") {
      endpoint = endpoint_of_context(context, environment);
    }
  }
  endpoint.address = default_address(endpoint.host);
  return endpoint;
}

EngineEndpoint resolve_engine_endpoint(const EngineConfig& engine,
                                       const std::map<std::string, std::string>& environment)
{
  EngineEndpoint endpoint;
  const std::string where = engine.source_path.string() + ":" + std::to_string(engine.line);
  if (!engine.context.empty()) {
    try {
      endpoint = endpoint_of_context(engine.context, environment);
    } catch (const Error& error) {
      throw ConfigError(where + ": engine '" + engine.name + "': " + error.what());
    }
  } else {
    endpoint.host = engine.host;
    endpoint.tls = engine.tls;
  }
  endpoint.name = engine.name;
  endpoint.ssh_config = engine.ssh_config;
  endpoint.memory_budget_bytes = engine.memory_budget_bytes;
  endpoint.start_slots = engine.start_slots;
  endpoint.address = engine.address.empty() ? default_address(endpoint.host) : engine.address;
  endpoint.origin = where + (engine.context.empty() ? "" : " (" + endpoint.origin + ")");
  return endpoint;
}

std::vector<EngineEndpoint> select_engine_endpoints(
  const ProjectConfig& project, const std::vector<std::string>& selected,
  const std::map<std::string, std::string>& environment)
{
  std::vector<std::string> names;
  for (const auto& engine : project.engines) {
    names.push_back(engine.name);
  }
  if (project.engines.empty()) {
    names.push_back(EngineEndpoint().name);
  }
  for (const auto& name : selected) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      std::string known;
      for (const auto& each : names) {
        known += (known.empty() ? "" : ", ") + each;
      }
      throw UsageError("--engine " + name + ": no such engine; the engines of " +
                       project.source_path.string() + " are: " + known);
    }
  }
  const auto wanted = [&](const std::string& name) {
    return selected.empty() || std::find(selected.begin(), selected.end(), name) != selected.end();
  };
  std::vector<EngineEndpoint> chosen;
  if (project.engines.empty()) {
    chosen.push_back(default_engine_endpoint(environment));
  }
  for (const auto& engine : project.engines) {
    // Only the chosen ones are resolved: a context of an engine not used need not exist.
    if (wanted(engine.name)) {
      chosen.push_back(resolve_engine_endpoint(engine, environment));
    }
  }
  return chosen;
}

}  // namespace orchestrate
