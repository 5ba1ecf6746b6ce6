#include "resources/ComposeVersionCache.hpp"

#include "core/FileText.hpp"

#include <boost/process/search_path.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <sys/stat.h>

#include <cstdlib>
#include <vector>

namespace orchestrate {

namespace {

std::string describe_file(const std::filesystem::path& path)
{
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return path.string() + " -\n";
  }
  return path.string() + " " + std::to_string(info.st_size) + " " +
         std::to_string(info.st_mtim.tv_sec) + "." + std::to_string(info.st_mtim.tv_nsec) + "\n";
}

// The `docker` that `docker compose` runs, as ChildProcess finds it (Boost.Process's PATH search).
std::filesystem::path docker_on_path()
{
  const auto found = boost::process::search_path("docker");
  return found.empty() ? std::filesystem::path("docker (not on PATH)")
                       : std::filesystem::path(found.string());
}

// Where the docker CLI looks for cli-plugins/docker-compose, in its order.
std::vector<std::filesystem::path> compose_plugin_candidates()
{
  std::vector<std::filesystem::path> folders;
  if (const char* config = std::getenv("DOCKER_CONFIG"); config != nullptr && *config != '\0') {
    folders.emplace_back(config);
  } else if (const char* home = std::getenv("HOME"); home != nullptr) {
    folders.emplace_back(std::filesystem::path(home) / ".docker");
  }
  for (const char* system : {"/usr/local/lib/docker", "/usr/local/libexec/docker", "/usr/lib/docker",
                             "/usr/libexec/docker"}) {
    folders.emplace_back(system);
  }
  std::vector<std::filesystem::path> candidates;
  for (const auto& folder : folders) {
    candidates.push_back(folder / "cli-plugins" / "docker-compose");
  }
  return candidates;
}

}  // namespace

std::string compose_binaries_fingerprint()
{
  std::string fingerprint = describe_file(docker_on_path());
  for (const auto& candidate : compose_plugin_candidates()) {
    fingerprint += describe_file(candidate);
  }
  return fingerprint;
}

std::optional<std::string> cached_compose_version(const std::filesystem::path& cache_file,
                                                  const std::string& fingerprint)
{
  try {
    const auto text = read_file_text(cache_file);
    if (!text) {
      return std::nullopt;
    }
    const auto cached = nlohmann::json::parse(*text);
    if (cached.at("fingerprint").get<std::string>() != fingerprint) {
      return std::nullopt;
    }
    return cached.at("version").get<std::string>();
  } catch (const std::exception& error) {
    spdlog::debug("compose version cache {} not used: {}", cache_file.string(), error.what());
    return std::nullopt;
  }
}

void remember_compose_version(const std::filesystem::path& cache_file,
                              const std::string& fingerprint, const std::string& version)
{
  try {
    std::filesystem::create_directories(cache_file.parent_path());
    const nlohmann::json cached = {{"fingerprint", fingerprint}, {"version", version}};
    write_file_atomically(cache_file, cached.dump(2) + "\n");
  } catch (const std::exception& error) {
    spdlog::debug("compose version cache {} not written: {}", cache_file.string(), error.what());
  }
}

}  // namespace orchestrate
