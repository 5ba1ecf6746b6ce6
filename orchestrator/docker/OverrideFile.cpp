#include "docker/OverrideFile.hpp"

#include "core/Error.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

namespace orchestrate {

std::string override_file_text(const ComposeModel& model,
                               const std::map<std::string, std::string>& labels)
{
  const nlohmann::json label_object(labels);
  nlohmann::json document = nlohmann::json::object();
  for (const auto& service : model.services) {
    document["services"][service.name]["labels"] = label_object;
  }
  // `default` is created by compose even when no file names it; labelling it lets the sweep find it.
  document["networks"]["default"]["labels"] = label_object;
  for (const auto& network : model.networks) {
    document["networks"][network]["labels"] = label_object;
  }
  for (const auto& volume : model.volumes) {
    document["volumes"][volume]["labels"] = label_object;
  }
  return document.dump(2) + "\n";
}

void write_override_file(const std::filesystem::path& path, const ComposeModel& model,
                         const std::map<std::string, std::string>& labels)
{
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  std::ofstream out(path, std::ios::trunc);
  out << override_file_text(model, labels);
  out.close();
  if (!out) {
    throw InternalError("could not write compose override file " + path.string());
  }
}

}  // namespace orchestrate
