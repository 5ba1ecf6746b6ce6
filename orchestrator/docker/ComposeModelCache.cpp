#include "docker/ComposeModelCache.hpp"

#include "core/FileText.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <fstream>
#include <regex>
#include <set>
#include <unistd.h>

namespace orchestrate {

namespace {

using Json = nlohmann::json;

// The names compose's interpolation would look up: `$NAME` and `${NAME...}`. An escaped `$$NAME`
// is matched too; that only adds a harmless name to the key.
void add_referenced_names(const std::string& text, std::set<std::string>& names)
{
  static const std::regex k_reference(R"(\$\{?([A-Za-z_][A-Za-z0-9_]*))");
  for (std::sregex_iterator match(text.begin(), text.end(), k_reference), end; match != end;
       ++match) {
    names.insert((*match)[1].str());
  }
}

Json inputs_to_json(const ComposeModelInputs& inputs)
{
  return Json{{"files", inputs.files},
              {"variables", inputs.variables},
              {"unset_variables", inputs.unset_variables}};
}

ComposeModelInputs inputs_from_json(const Json& json)
{
  ComposeModelInputs inputs;
  inputs.files = json.at("files").get<std::map<std::string, std::string>>();
  inputs.variables = json.at("variables").get<std::map<std::string, std::string>>();
  inputs.unset_variables = json.at("unset_variables").get<std::vector<std::string>>();
  return inputs;
}

// The cached model text when the cache holds one for exactly `inputs`; "" otherwise (no file, an
// unreadable or foreign file, other inputs).
std::string cached_model_for(const std::filesystem::path& cache_file,
                             const ComposeModelInputs& inputs)
{
  if (!std::filesystem::exists(cache_file)) {
    return {};
  }
  try {
    const auto cached = Json::parse(read_file_text(cache_file).value_or(""));
    if (inputs_from_json(cached.at("inputs")) == inputs) {
      return cached.at("model").get<std::string>();
    }
  } catch (const std::exception& error) {
    spdlog::debug("ignoring the compose model cache {}: {}", cache_file.string(), error.what());
  }
  return {};
}

}  // namespace

// Written to a temporary file and renamed, so a concurrent run never reads half a cache.
void save_compose_model(const std::filesystem::path& cache_file, const ComposeModelInputs& inputs,
                        const std::string& model_text)
{
  try {
    std::filesystem::create_directories(cache_file.parent_path());
    write_file_atomically(cache_file,
                          Json{{"inputs", inputs_to_json(inputs)}, {"model", model_text}}.dump(1));
  } catch (const std::exception& error) {
    spdlog::warn("could not save the compose model cache {}: {}", cache_file.string(),
                 error.what());
  }
}

ComposeModelInputs read_compose_model_inputs(const std::vector<std::filesystem::path>& files,
                                             const std::filesystem::path& project_directory,
                                             const std::map<std::string, std::string>& environment)
{
  ComposeModelInputs inputs;
  std::set<std::string> names;
  auto all_files = files;
  all_files.push_back(project_directory / ".env");
  for (const auto& file : all_files) {
    const auto path = std::filesystem::absolute(file).lexically_normal().string();
    const auto text = read_file_text(path).value_or("");  // a missing .env reads as ""
    add_referenced_names(text, names);
    inputs.files[path] = text;
  }
  for (const auto& [name, value] : environment) {
    if (name.rfind("COMPOSE_", 0) == 0) {
      names.insert(name);
    }
  }
  for (const auto& name : names) {
    const auto value = environment.find(name);
    if (value == environment.end()) {
      inputs.unset_variables.push_back(name);
    } else {
      inputs.variables[name] = value->second;
    }
  }
  return inputs;
}

std::optional<ComposeModel> load_cached_compose_model(const std::filesystem::path& cache_file,
                                                      const ComposeModelInputs& inputs)
{
  if (const auto cached = cached_model_for(cache_file, inputs); !cached.empty()) {
    try {
      return parse_compose_model(cached);
    } catch (const std::exception& error) {
      spdlog::debug("ignoring the compose model cache {}: {}", cache_file.string(), error.what());
    }
  }
  return std::nullopt;
}

ComposeModel resolve_and_cache_compose_model(const ComposeCli& cli,
                                             const ComposeModelInputs& inputs,
                                             const std::filesystem::path& cache_file)
{
  const auto resolved = resolve_compose_config(cli);
  auto model = parse_compose_model(resolved);
  save_compose_model(cache_file, inputs, resolved);
  return model;
}

}  // namespace orchestrate
