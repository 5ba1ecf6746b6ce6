#include "config/NamedConfigFiles.hpp"

#include "config/YamlFields.hpp"
#include "core/Error.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace orchestrate {

std::vector<std::string> list_yaml_stems(const std::filesystem::path& dir)
{
  std::vector<std::string> stems;
  std::error_code error;
  // A missing or unreadable folder simply holds no suites; the caller's message names the folder.
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->path().extension() == ".yaml" && it->is_regular_file(error)) {
      stems.push_back(it->path().stem().string());
    }
  }
  std::sort(stems.begin(), stems.end());
  return stems;
}

std::string describe_yaml_stems(const std::filesystem::path& dir)
{
  const auto stems = list_yaml_stems(dir);
  return stems.empty() ? "(none)" : join_names(stems);
}

std::filesystem::path find_named_yaml(const std::filesystem::path& dir,
                                      const std::string& kind,
                                      const std::string& name)
{
  const auto stems = list_yaml_stems(dir);
  if (std::find(stems.begin(), stems.end(), name) == stems.end()) {
    throw ConfigError("unknown " + kind + " '" + name + "'; " + kind + "s in " + dir.string() +
                      ": " + describe_yaml_stems(dir));
  }
  return dir / (name + ".yaml");
}

YamlMapping load_named_yaml(const std::filesystem::path& dir,
                            const std::string& kind,
                            const std::string& name,
                            const std::vector<std::string>& allowed_keys)
{
  const auto path = find_named_yaml(dir, kind, name);
  spdlog::debug("reading {} configuration {}", kind, path.string());
  auto file = load_yaml_mapping(path);
  file.check_keys(allowed_keys);
  return file;
}

}  // namespace orchestrate
