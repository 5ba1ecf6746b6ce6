#include "docker/EngineEndpointFile.hpp"

#include "core/Error.hpp"
#include "core/FileText.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

namespace orchestrate {

using nlohmann::json;

void write_engine_endpoints(const std::filesystem::path& file,
                            const std::vector<EngineEndpoint>& engines)
{
  json list = json::array();
  for (const auto& engine : engines) {
    json entry{{"name", engine.name},
               {"host", engine.host},
               {"address", engine.address},
               {"ssh_config", engine.ssh_config.string()}};
    if (engine.tls) {
      entry["tls"] = {{"ca", engine.tls->ca.string()},
                      {"cert", engine.tls->cert.string()},
                      {"key", engine.tls->key.string()}};
    }
    list.push_back(std::move(entry));
  }
  std::ofstream out(file, std::ios::trunc);
  out << list.dump(2) << "\n";
  if (!out) {
    throw InternalError("cannot write the run's engines to " + file.string());
  }
}

std::vector<EngineEndpoint> read_engine_endpoints(const std::filesystem::path& file)
{
  const auto text = read_file_text(file);
  if (!text) {
    throw UsageError("cannot read the engines file " + file.string());
  }
  std::vector<EngineEndpoint> engines;
  try {
    for (const json& entry : json::parse(*text)) {
      EngineEndpoint engine;
      engine.name = entry.at("name").get<std::string>();
      engine.host = entry.at("host").get<std::string>();
      engine.address = entry.at("address").get<std::string>();
      engine.ssh_config = entry.at("ssh_config").get<std::string>();
      engine.origin = file.string();
      if (entry.contains("tls")) {
        const json& tls = entry["tls"];
        engine.tls = TlsFiles{tls.at("ca").get<std::string>(), tls.at("cert").get<std::string>(),
                              tls.at("key").get<std::string>()};
      }
      engines.push_back(std::move(engine));
    }
  } catch (const json::exception& error) {
    throw UsageError(file.string() + ": not a list of engines: " + error.what());
  }
  return engines;
}

}  // namespace orchestrate
