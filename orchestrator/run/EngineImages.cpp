#include "run/EngineImages.hpp"

#include <algorithm>

namespace orchestrate {

std::vector<std::string> stack_images(const ComposeModel& model)
{
  std::vector<std::string> images;
  for (const auto& service : model.services) {
    if (!service.image.empty() &&
        std::find(images.begin(), images.end(), service.image) == images.end()) {
      images.push_back(service.image);
    }
  }
  return images;
}

std::vector<std::string> missing_images(const std::vector<std::string>& images,
                                        const std::function<bool(const std::string&)>& present)
{
  std::vector<std::string> missing;
  for (const auto& image : images) {
    if (!present(image)) {
      missing.push_back(image);
    }
  }
  return missing;
}

std::string describe_missing_images(const std::string& engine,
                                    const std::vector<std::string>& missing)
{
  std::string names;
  for (const auto& image : missing) {
    names += (names.empty() ? "" : ", ") + image;
  }
  return "engine " + engine + " lacks image" + (missing.size() == 1 ? " " : "s ") + names +
         ": left out of this run (load " + (missing.size() == 1 ? "it" : "them") +
         " with docker save | docker load)";
}

std::optional<std::string> check_engine_images(DockerEngine& engine,
                                               const std::vector<std::string>& images)
{
  const auto& name = engine.endpoint().name;
  try {
    const auto missing = missing_images(
      images, [&](const std::string& image) { return engine.image_id(image).has_value(); });
    if (missing.empty()) {
      return std::nullopt;
    }
    return describe_missing_images(name, missing);
  } catch (const std::exception& error) {
    return "engine " + name + ": could not look up the stack's images (" + error.what() +
           "): left out of this run";
  }
}

}  // namespace orchestrate
