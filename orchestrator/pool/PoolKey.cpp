#include "pool/PoolKey.hpp"

#include "docker/ResourceLabels.hpp"

#include <cstdint>
#include <cstdio>

namespace orchestrate {

namespace {

using Json = nlohmann::json;

}  // namespace

// FNV-1a, 64 bits: short, stable across builds and machines (std::hash is neither promised).
std::string stable_digest(const std::string& text)
{
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(hash));
  return buffer;
}

PoolKey make_pool_key(const ComposeModelInputs& compose_inputs, const PublishedPorts& published)
{
  Json inputs{{"compose",
               {{"files", compose_inputs.files},
                {"variables", compose_inputs.variables},
                {"unset_variables", compose_inputs.unset_variables}}},
              {"published_ports", published}};
  return pool_key_from_json(inputs);
}

PoolKey pool_key_from_json(const nlohmann::json& inputs)
{
  if (!inputs.is_object() || !inputs.contains("compose") || !inputs.contains("published_ports")) {
    throw Json::other_error::create(501, "not the inputs of a pool key", &inputs);
  }
  // dump() writes object keys sorted: equal inputs give equal text.
  return PoolKey{inputs, stable_digest(inputs.dump())};
}

StackImages read_stack_images(DockerEngine& engine, const std::string& stack)
{
  StackImages images;
  for (const auto& container : engine.list_containers({label_filter(labels::k_stack, stack)})) {
    const auto service = container.labels.find(labels::k_compose_service);
    if (service != container.labels.end()) {
      images[service->second] = {container.image, container.image_id};
    }
  }
  return images;
}

std::vector<std::string> changed_images(
  const StackImages& recorded,
  const std::function<std::optional<std::string>(const std::string& image)>& current_id)
{
  std::vector<std::string> changed;
  for (const auto& [service, image] : recorded) {
    const auto now = current_id(image.image);
    if (!now || *now != image.id) {
      changed.push_back(service + " (" + image.image + (now ? " was rebuilt" : " is gone") + ")");
    }
  }
  return changed;
}

nlohmann::json images_to_json(const StackImages& images)
{
  Json json = Json::object();
  for (const auto& [service, image] : images) {
    json[service] = {{"image", image.image}, {"id", image.id}};
  }
  return json;
}

StackImages images_from_json(const nlohmann::json& json)
{
  StackImages images;
  for (const auto& [service, image] : json.items()) {
    images[service] = {image.at("image").get<std::string>(), image.at("id").get<std::string>()};
  }
  return images;
}

}  // namespace orchestrate
