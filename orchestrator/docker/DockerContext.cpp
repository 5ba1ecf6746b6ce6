#include "docker/DockerContext.hpp"

#include "core/Error.hpp"
#include "core/FileText.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <array>
#include <cstdio>

namespace orchestrate {

namespace {

using nlohmann::json;

std::string variable(const std::map<std::string, std::string>& environment, const char* name)
{
  const auto found = environment.find(name);
  return found == environment.end() ? std::string() : found->second;
}

json read_json_file(const std::filesystem::path& file, const std::string& what)
{
  const auto text = read_file_text(file);
  if (!text) {
    throw UsageError(file.string() + ": cannot read " + what);
  }
  try {
    return json::parse(*text);
  } catch (const json::exception& error) {
    throw UsageError(file.string() + ": cannot read " + what + ": " + error.what());
  }
}

}  // namespace

std::string sha256_hex(const std::string& text)
{
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw InternalError("SHA-256 failed");
  }
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    char byte[3];
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

std::filesystem::path docker_config_dir(const std::map<std::string, std::string>& environment)
{
  const std::string configured = variable(environment, "DOCKER_CONFIG");
  if (!configured.empty()) {
    return configured;
  }
  return std::filesystem::path(variable(environment, "HOME")) / ".docker";
}

std::string current_docker_context(const std::map<std::string, std::string>& environment)
{
  const std::string named = variable(environment, "DOCKER_CONTEXT");
  if (!named.empty()) {
    return named;
  }
  const auto config_file = docker_config_dir(environment) / "config.json";
  std::error_code error;
  if (!std::filesystem::exists(config_file, error)) {
    return "default";
  }
  const json config = read_json_file(config_file, "the docker CLI configuration");
  const auto current = config.find("currentContext");
  if (current != config.end() && current->is_string() && !current->get<std::string>().empty()) {
    return current->get<std::string>();
  }
  return "default";
}

DockerContextEndpoint read_docker_context(const std::string& name,
                                          const std::filesystem::path& config_dir)
{
  if (name == "default") {
    return {};
  }
  const std::string id = sha256_hex(name);
  const auto meta_file = config_dir / "contexts" / "meta" / id / "meta.json";
  std::error_code error;
  if (!std::filesystem::exists(meta_file, error)) {
    throw UsageError("docker context '" + name + "' does not exist (looked for " +
                     meta_file.string() + "); `docker context ls` lists the contexts");
  }
  const json meta = read_json_file(meta_file, "docker context '" + name + "'");
  DockerContextEndpoint endpoint;
  const json* docker = nullptr;
  if (meta.contains("Endpoints") && meta["Endpoints"].is_object() &&
      meta["Endpoints"].contains("docker")) {
    docker = &meta["Endpoints"]["docker"];
  }
  if (docker != nullptr && docker->is_object() && docker->contains("Host") &&
      (*docker)["Host"].is_string()) {
    endpoint.host = (*docker)["Host"].get<std::string>();
  }
  const auto tls_dir = config_dir / "contexts" / "tls" / id / "docker";
  TlsFiles tls{tls_dir / "ca.pem", tls_dir / "cert.pem", tls_dir / "key.pem"};
  if (std::filesystem::exists(tls.ca, error) && std::filesystem::exists(tls.cert, error) &&
      std::filesystem::exists(tls.key, error)) {
    endpoint.tls = std::move(tls);
  }
  return endpoint;
}

}  // namespace orchestrate
