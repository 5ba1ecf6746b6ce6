#pragma once

#include "config/EngineConfig.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace orchestrate {

// What a `docker context` says about its Docker endpoint, read from the docker CLI's metadata:
// <config_dir>/contexts/meta/<sha256 of the name>/meta.json (`Endpoints.docker.Host`) and the
// certificates in <config_dir>/contexts/tls/<sha256 of the name>/docker/{ca,cert,key}.pem.
struct DockerContextEndpoint
{
  std::string host;             // "" when the context names no host: the default socket
  std::optional<TlsFiles> tls;  // when the context stores all three certificate files
};

// The docker CLI's configuration folder: $DOCKER_CONFIG, else $HOME/.docker.
std::filesystem::path docker_config_dir(const std::map<std::string, std::string>& environment);

// The context the docker CLI uses when DOCKER_HOST is not set: DOCKER_CONTEXT, else
// config.json's `currentContext`, else "default". Throws UsageError for an unreadable config.json.
std::string current_docker_context(const std::map<std::string, std::string>& environment);

// Reads context `name` ("default" is the local socket: an empty host). Throws UsageError when the
// context does not exist (saying where it looked) or its meta.json cannot be read.
DockerContextEndpoint read_docker_context(const std::string& name,
                                          const std::filesystem::path& config_dir);

// The lowercase hex SHA-256 of `text`, as the docker CLI names a context's folders.
std::string sha256_hex(const std::string& text);

}  // namespace orchestrate
