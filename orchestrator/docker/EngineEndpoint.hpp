#pragma once

#include "config/EngineConfig.hpp"
#include "config/ProjectConfig.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// A Docker engine as a run reaches it: resolved from `engines:` in orchestrate.yaml, a docker
// context, or the docker CLI's environment (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH,
// DOCKER_CONTEXT). What DockerEngine connects to and what the compose child is pointed at.
struct EngineEndpoint
{
  std::string name = "local";
  std::string host = "unix:///var/run/docker.sock";  // unix://, tcp:// or ssh://
  std::optional<TlsFiles> tls;                        // tcp:// with client certificates
  std::filesystem::path ssh_config;                   // ssh -F; empty: ssh's own configuration
  // Where the tests reach the ports this engine publishes: 127.0.0.1 for a local socket, else the
  // host of the URL unless `address` says otherwise.
  std::string address = "127.0.0.1";
  std::optional<std::uint64_t> memory_budget_bytes;  // empty: the run's budget
  std::optional<int> start_slots;  // stacks starting at once (0: unlimited); empty: the run's
  std::string origin = "the default socket";          // for messages: where this engine came from
};

// The scheme of a host URL: "unix", "tcp" or "ssh" ("unix" also for a plain path).
std::string engine_scheme(const std::string& host);

// The default engine, chosen as the docker CLI chooses it from `environment`: DOCKER_HOST (with
// DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for tcp://), else the context DOCKER_CONTEXT names, else
// the docker CLI's current context ($DOCKER_CONFIG or ~/.docker, config.json `currentContext`),
// else unix:///var/run/docker.sock. Throws UsageError for a context that does not exist or an
// unreadable context file (naming the file), EnvironmentError for a DOCKER_HOST of another scheme.
EngineEndpoint default_engine_endpoint(const std::map<std::string, std::string>& environment);

// The endpoint of one configured engine (a `context:` is read from the docker CLI's metadata).
// Throws ConfigError `orchestrate.yaml:line:` when its context does not exist.
EngineEndpoint resolve_engine_endpoint(const EngineConfig& engine,
                                       const std::map<std::string, std::string>& environment);

// The engines a run may use: the project's `engines:` (or the default engine when there are
// none), in file order, restricted to `selected` names when not empty. Throws UsageError naming
// the known engines for a selected name that is not configured.
std::vector<EngineEndpoint> select_engine_endpoints(
  const ProjectConfig& project, const std::vector<std::string>& selected,
  const std::map<std::string, std::string>& environment);

}  // namespace orchestrate
