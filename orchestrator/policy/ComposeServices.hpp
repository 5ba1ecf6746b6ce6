#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orchestrate {

// The services of a set of compose files as compose combines them, without compose: each service is
// kept as its stack of definitions ("layers") with their files and lines, so that lint can say
// where a setting comes from. Compose merges the files given with -f in order (a later file
// overrides or adds keys of the same service), and `extends` puts the template service under the
// definition that extends it.

// One definition of a service: a mapping in one file.
struct ServiceLayer
{
  std::filesystem::path file;  // the file holding this definition
  std::string service;         // its name in that file (a template's name, through `extends`)
  YAML::Node definition;       // the service's mapping; null for `name:` with nothing under it
  bool from_extends = false;   // a template that the service inherits through `extends`
};

// A service of the combined compose files.
struct ComposeService
{
  std::string name;
  std::filesystem::path file;  // the first of the given files that defines the service
  int line = 0;                // 1-based line of the service's key in `file`
  std::vector<ServiceLayer> layers;  // lowest precedence first: templates, then each file in order
};

// A setting of a service as found in one of its layers.
struct ServiceSetting
{
  ServiceSetting(std::filesystem::path setting_file,
                 int setting_line,
                 YAML::Node setting_value,
                 std::string template_service)
    : file(std::move(setting_file)),
      line(setting_line),
      value(std::move(setting_value)),
      inherited_from(std::move(template_service))
  {
  }

  ServiceSetting(const ServiceSetting&) = default;

  std::filesystem::path file;  // where it is written
  int line = 0;                // 1-based line of its key (of the item, for list items)
  YAML::Node value;
  std::string inherited_from;  // the template service it comes from through `extends`, or ""

  // Rebinds `value` instead of writing into the document (see YamlEntry).
  ServiceSetting& operator=(const ServiceSetting& other)
  {
    file = other.file;
    line = other.line;
    value.reset(other.value);
    inherited_from = other.inherited_from;
    return *this;
  }
};

// Reads `files` (paths as given, relative ones against the current directory) and the files their
// `extends` name (relative to the extending file), and returns the services in the order they
// first appear. Top-level `x-` keys and everything outside `services` are ignored.
// Throws ConfigError `path:line: ...` for a missing or unreadable file, invalid YAML, an empty
// file, a top level or `services` that is not a mapping, a service that is not a mapping, or an
// `extends` that is malformed, names a missing file or service, or loops.
std::vector<ComposeService> load_compose_services(const std::vector<std::filesystem::path>& files);

// The setting at `path` (e.g. {"deploy", "resources", "limits", "memory"}) from the layer of
// highest precedence that sets it to something other than null, as compose's deep merge of
// mappings yields it. nullopt when no layer sets it, or the deciding layer removes it with
// `!reset` (or replaces a mapping on the path with `!override`). Merge keys (`<<`) are applied.
// Throws nothing.
std::optional<ServiceSetting> effective_setting(const ComposeService& service,
                                                std::initializer_list<std::string_view> path);

// The items of the list `key` (ports, volumes, tmpfs) from all layers, lowest precedence first, as
// compose appends them; a layer whose list is tagged `!reset` or `!override` drops the items of
// the layers below. A scalar counts as a one-item list (`tmpfs: /run`). Throws ConfigError
// `path:line:` when the value is a mapping.
std::vector<ServiceSetting> list_settings(const ComposeService& service, std::string_view key);

}  // namespace orchestrate
