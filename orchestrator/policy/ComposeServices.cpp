#include "policy/ComposeServices.hpp"

#include "config/YamlFields.hpp"
#include "core/Error.hpp"
#include "core/FileText.hpp"
#include "policy/YamlMergeKeys.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace orchestrate {

namespace {

// Compose's tags that make a later file remove or replace what earlier layers set.
constexpr const char* k_reset_tag = "!reset";
constexpr const char* k_override_tag = "!override";

int line_of(const YAML::Node& node)
{
  return node.Mark().is_null() ? 1 : node.Mark().line + 1;
}

YAML::Node parse_compose_file(const std::filesystem::path& file)
{
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    throw ConfigError(file.string() + (std::filesystem::exists(file, error)
                                         ? ": is not a regular file; expected a compose file"
                                         : ": file not found"));
  }
  const auto contents = read_file_text(file);
  if (!contents) {
    throw ConfigError(file.string() + ": cannot be read; check its permissions");
  }
  YAML::Node root;
  try {
    root = YAML::Load(*contents);
  } catch (const YAML::Exception& parse_error) {
    throw_yaml_parse_error(file, parse_error);
  }
  if (!root.IsDefined() || root.IsNull()) {
    throw_config_error(file, 1, "file is empty; expected a compose file with 'services'");
  }
  if (!root.IsMap()) {
    throw_config_error(file, line_of(root),
                       "expected a mapping at the top level of a compose file");
  }
  return root;
}

// A service as written in one file, before `extends` is applied.
struct WrittenService
{
  std::string name;
  int line = 0;
  YAML::Node definition;
};

std::vector<WrittenService> written_services(const std::filesystem::path& file,
                                             const YAML::Node& root)
{
  const auto services = find_merged(root, "services");
  if (!services || services->value.IsNull()) {
    return {};
  }
  if (!services->value.IsMap()) {
    throw_config_error(file, line_of(services->key),
                       "'services' must be a mapping of service names to their settings");
  }
  std::vector<WrittenService> written;
  for (const auto& entry : merged_entries(services->value)) {
    if (!entry.value.IsMap() && !entry.value.IsNull()) {
      throw_config_error(file, line_of(entry.key),
                         "service '" + entry.key.Scalar() + "' must be a mapping of settings");
    }
    written.push_back({entry.key.Scalar(), line_of(entry.key), entry.value});
  }
  return written;
}

// Reads compose files once each (templates are shared by many services) and resolves `extends`.
class ComposeReader
{
public:
  const YAML::Node& root(const std::filesystem::path& file)
  {
    const auto key = identity(file);
    auto found = m_roots.find(key);
    if (found == m_roots.end()) {
      found = m_roots.emplace(key, parse_compose_file(file)).first;
    }
    return found->second;
  }

  // The layers of `service` written in `file`: its templates (recursively), then itself.
  std::vector<ServiceLayer> layers(const std::filesystem::path& file,
                                   const WrittenService& service,
                                   std::set<std::string>& chain)
  {
    std::vector<ServiceLayer> layers;
    if (const auto extends = find_merged(service.definition, "extends")) {
      auto [base_file, base_name] = extends_target(file, service.name, *extends);
      if (!chain.insert(identity(base_file) + "\n" + base_name).second) {
        throw_config_error(file, line_of(extends->key),
                           "extends: service '" + base_name + "' in " + base_file.string() +
                             " is reached twice: the extends chain loops");
      }
      const auto base = find_service(base_file, base_name, file, line_of(extends->key));
      spdlog::debug("lint: service '{}' in {} extends '{}' in {}", service.name, file.string(),
                    base_name, base_file.string());
      layers = this->layers(base_file, base, chain);
      for (auto& layer : layers) {
        layer.from_extends = true;
      }
    }
    layers.push_back({file, service.name, service.definition, false});
    return layers;
  }

private:
  static std::string identity(const std::filesystem::path& file)
  {
    std::error_code error;
    auto canonical = std::filesystem::weakly_canonical(file, error);
    return (error ? std::filesystem::absolute(file) : canonical).string();
  }

  // `extends: name` (same file), or `extends: {service: name, file: path}` with `path` relative to
  // the extending file.
  static std::pair<std::filesystem::path, std::string> extends_target(
    const std::filesystem::path& file, const std::string& service, const YamlEntry& extends)
  {
    const auto fail = [&]() {
      throw_config_error(file, line_of(extends.key),
                         "'extends' of service '" + service +
                           "' must be a service name or {file: path, service: name}");
    };
    if (extends.value.IsScalar()) {
      return {file, extends.value.Scalar()};
    }
    const auto base_service = find_merged(extends.value, "service");
    if (!base_service || !base_service->value.IsScalar()) {
      fail();
    }
    auto base_file = file;
    if (const auto named = find_merged(extends.value, "file")) {
      if (!named->value.IsScalar()) {
        fail();
      }
      base_file = (file.parent_path() / named->value.Scalar()).lexically_normal();
    }
    return {base_file, base_service->value.Scalar()};
  }

  WrittenService find_service(const std::filesystem::path& base_file,
                              const std::string& name,
                              const std::filesystem::path& extending_file,
                              int extends_line)
  {
    std::error_code error;
    if (!std::filesystem::exists(base_file, error)) {
      throw_config_error(extending_file, extends_line,
                         "extends: file " + base_file.string() + " not found");
    }
    for (auto& candidate : written_services(base_file, root(base_file))) {
      if (candidate.name == name) {
        return candidate;
      }
    }
    throw_config_error(extending_file, extends_line,
                       "extends: no service '" + name + "' in " + base_file.string());
  }

  std::map<std::string, YAML::Node> m_roots;
};

ServiceSetting setting_of(const ServiceLayer& layer, int line, const YAML::Node& value)
{
  return {layer.file, line, value, layer.from_extends ? layer.service : ""};
}

}  // namespace

std::vector<ComposeService> load_compose_services(const std::vector<std::filesystem::path>& files)
{
  ComposeReader reader;
  std::vector<ComposeService> services;
  std::map<std::string, std::size_t> index;
  for (const auto& file : files) {
    for (const auto& written : written_services(file, reader.root(file))) {
      std::set<std::string> chain;
      auto layers = reader.layers(file, written, chain);
      auto [found, added] = index.emplace(written.name, services.size());
      if (added) {
        services.push_back({written.name, file, written.line, {}});
      }
      auto& service = services[found->second];
      service.layers.insert(service.layers.end(), layers.begin(), layers.end());
    }
  }
  return services;
}

std::optional<ServiceSetting> effective_setting(const ComposeService& service,
                                                std::initializer_list<std::string_view> path)
{
  for (auto layer = service.layers.rbegin(); layer != service.layers.rend(); ++layer) {
    YAML::Node node = layer->definition;
    std::optional<YamlEntry> entry;
    bool replaced = false;
    for (const auto key : path) {
      entry = find_merged(node, key);
      if (!entry) {
        break;
      }
      if (entry->value.Tag() == k_reset_tag) {
        return std::nullopt;
      }
      replaced = replaced || entry->value.Tag() == k_override_tag;
      // reset() rebinds the handle; operator= would overwrite the parsed document's node.
      node.reset(entry->value);
    }
    // `entry` is set only when the whole path was found in this layer.
    if (entry && !entry->value.IsNull()) {
      return setting_of(*layer, line_of(entry->key), entry->value);
    }
    // A mapping replaced with !override hides whatever the layers below set under it.
    if (replaced) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::vector<ServiceSetting> list_settings(const ComposeService& service, std::string_view key)
{
  std::vector<ServiceSetting> items;
  for (const auto& layer : service.layers) {
    const auto entry = find_merged(layer.definition, key);
    if (!entry) {
      continue;
    }
    if (entry->value.Tag() == k_reset_tag || entry->value.Tag() == k_override_tag) {
      items.clear();
    }
    if (entry->value.IsSequence()) {
      for (const auto& item : entry->value) {
        items.push_back(setting_of(layer, line_of(item), item));
      }
    } else if (entry->value.IsScalar()) {
      items.push_back(setting_of(layer, line_of(entry->value), entry->value));
    } else if (entry->value.IsMap()) {
      throw_config_error(layer.file, line_of(entry->key),
                         "'" + std::string(key) + "' of service '" + layer.service +
                           "' must be a list");
    }
  }
  return items;
}

}  // namespace orchestrate
