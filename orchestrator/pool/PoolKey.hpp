#pragma once

#include "docker/ComposeModelCache.hpp"
#include "docker/DockerEngine.hpp"
#include "docker/OverrideFile.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// Everything that makes one warm stack different from another, so that a run only claims a stack
// it would have started itself: the resolved compose model's inputs (as the model cache reads
// them: the files compose reads and the variables they interpolate) and the ports orchestrate
// publishes for the fixtures. The images are the other half of the key: they are read from the
// engine (StackImages below), since an image can be rebuilt under an unchanged compose file.
// Compared in full, never by the digest alone (no hash that could collide decides a reuse).
struct PoolKey
{
  nlohmann::json inputs;  // {"compose": ComposeModelInputs, "published_ports": {...}}
  std::string digest;     // 16 hex digits of FNV-1a over inputs: a label and a name for people

  bool operator==(const PoolKey& other) const
  {
    return inputs == other.inputs;
  }
};

// 16 hex digits of FNV-1a over `text`: stable across builds and machines, for names and labels
// only (never to decide equality).
std::string stable_digest(const std::string& text);

// The key of the stacks a run would start for `compose_inputs` with `published` ports.
PoolKey make_pool_key(const ComposeModelInputs& compose_inputs, const PublishedPorts& published);

// A key as a record file holds it; the digest is computed again (a record cannot lie about it).
// Throws nlohmann::json::exception for something that is not a key's inputs.
PoolKey pool_key_from_json(const nlohmann::json& inputs);

// The image of each service of a running stack: service -> {image as named, its id}.
struct ServiceImage
{
  std::string image;  // as compose created the container from it ("orchestrate/postgres:15")
  std::string id;     // "sha256:..."
  bool operator==(const ServiceImage& other) const = default;
};
using StackImages = std::map<std::string, ServiceImage>;

// Reads the images of every container of compose project `stack` from the engine (one listing).
// Throws as DockerEngine does.
StackImages read_stack_images(DockerEngine& engine, const std::string& stack);

// The services of `recorded` whose image now has another id than it had (rebuilt, pulled anew) or
// no longer exists, as "service (image)"; `current_id` says what the image's id is now (nullopt:
// gone). Empty when every image is unchanged. Pure: the engine is asked through `current_id`.
std::vector<std::string> changed_images(
  const StackImages& recorded,
  const std::function<std::optional<std::string>(const std::string& image)>& current_id);

nlohmann::json images_to_json(const StackImages& images);
StackImages images_from_json(const nlohmann::json& json);

}  // namespace orchestrate
