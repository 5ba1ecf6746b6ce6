#include "docker/ComposeModel.hpp"

#include "core/Error.hpp"

#include <nlohmann/json.hpp>

namespace orchestrate {

namespace {

// Compose prints byte sizes as strings of digits ("268435456"), older versions as numbers.
std::uint64_t bytes_from_json(const nlohmann::json& value)
{
  if (value.is_number_unsigned() || value.is_number_integer()) {
    return value.get<std::uint64_t>();
  }
  if (value.is_string()) {
    if (auto bytes = parse_byte_size(value.get<std::string>())) {
      return *bytes;
    }
  }
  return 0;
}

double cpus_from_json(const nlohmann::json& value)
{
  if (value.is_number()) {
    return value.get<double>();
  }
  if (value.is_string()) {
    try {
      return std::stod(value.get<std::string>());
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

std::vector<std::string> own_top_level_keys(const nlohmann::json& model, const char* section)
{
  std::vector<std::string> keys;
  if (!model.contains(section) || !model[section].is_object()) {
    return keys;
  }
  for (const auto& [key, value] : model[section].items()) {
    const bool external = value.is_object() && value.contains("external") &&
                          !value["external"].is_null() && value["external"] != false;
    if (!external) {
      keys.push_back(key);
    }
  }
  return keys;
}

}  // namespace

std::uint64_t ComposeModel::memory_limit_bytes() const
{
  std::uint64_t total = 0;
  for (const auto& service : services) {
    total += service.memory_limit_bytes;
  }
  return total;
}

const ResolvedService* ComposeModel::find_service(const std::string& name) const
{
  for (const auto& service : services) {
    if (service.name == name) {
      return &service;
    }
  }
  return nullptr;
}

ComposeModel parse_compose_model(const std::string& json_text)
{
  nlohmann::json model;
  try {
    model = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& error) {
    throw InternalError(std::string("could not parse `docker compose config` output: ") +
                        error.what());
  }
  ComposeModel result;
  const auto services = model.value("services", nlohmann::json::object());
  if (services.is_object()) {
    for (auto entry = services.begin(); entry != services.end(); ++entry) {
      const auto& definition = entry.value();
      ResolvedService service;
      service.name = entry.key();
      const auto limits = definition.value("/deploy/resources/limits"_json_pointer,
                                           nlohmann::json::object());
      service.memory_limit_bytes = bytes_from_json(limits.value("memory", nlohmann::json()));
      if (service.memory_limit_bytes == 0) {
        service.memory_limit_bytes = bytes_from_json(definition.value("mem_limit", nlohmann::json()));
      }
      service.cpu_limit = cpus_from_json(limits.value("cpus", nlohmann::json()));
      if (service.cpu_limit == 0) {
        service.cpu_limit = cpus_from_json(definition.value("cpus", nlohmann::json()));
      }
      const auto healthcheck = definition.value("healthcheck", nlohmann::json());
      service.has_healthcheck = healthcheck.is_object() && !healthcheck.value("disable", false) &&
                                healthcheck.contains("test");
      result.services.push_back(std::move(service));
    }
  }
  result.networks = own_top_level_keys(model, "networks");
  result.volumes = own_top_level_keys(model, "volumes");
  return result;
}

ComposeModel load_compose_model(const ComposeCli& cli)
{
  return parse_compose_model(resolve_compose_config(cli));
}

std::string resolve_compose_config(const ComposeCli& cli)
{
  const auto output = cli.run({"config", "--format", "json"}, Milliseconds(30'000));
  if (!output.exit.succeeded()) {
    throw UsageError("docker compose could not read the compose files of " +
                     cli.project_name() + ":\n" + output.output);
  }
  // Compose may print warnings before the JSON document; the model starts at the first '{'.
  const auto start = output.output.find('{');
  if (start == std::string::npos) {
    throw InternalError("`docker compose config` printed no JSON:\n" + output.output);
  }
  return output.output.substr(start);
}

}  // namespace orchestrate
