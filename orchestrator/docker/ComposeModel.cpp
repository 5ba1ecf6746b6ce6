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

std::string text_of(const nlohmann::json& value)
{
  if (value.is_string()) {
    return value.get<std::string>();
  }
  return value.is_number() ? value.dump() : std::string();
}

std::vector<ServicePort> ports_from_json(const nlohmann::json& ports)
{
  std::vector<ServicePort> result;
  if (!ports.is_array()) {
    return result;
  }
  for (const auto& entry : ports) {
    const auto target = entry.value("target", nlohmann::json());
    if (!entry.is_object() || !target.is_number_integer()) {
      continue;
    }
    ServicePort port;
    port.target = target.get<int>();
    port.published = text_of(entry.value("published", nlohmann::json()));
    port.host_ip = text_of(entry.value("host_ip", nlohmann::json()));
    const auto protocol = text_of(entry.value("protocol", nlohmann::json()));
    port.protocol = protocol.empty() ? "tcp" : protocol;
    result.push_back(std::move(port));
  }
  return result;
}

bool restarts_only_on_failure_or_never(const std::string& restart)
{
  return restart.empty() || restart == "no" || restart.starts_with("on-failure");
}

// Services that another one waits for with `condition: service_completed_successfully`.
std::vector<std::string> completion_dependencies(const nlohmann::json& services)
{
  std::vector<std::string> names;
  for (const auto& [name, definition] : services.items()) {
    const auto depends_on = definition.value("depends_on", nlohmann::json());
    if (!depends_on.is_object()) {
      continue;
    }
    for (const auto& [dependency, condition] : depends_on.items()) {
      if (condition.is_object() &&
          condition.value("condition", "") == "service_completed_successfully") {
        names.push_back(dependency);
      }
    }
  }
  return names;
}

}  // namespace

bool ResolvedService::may_complete() const
{
  return restarts_only_on_failure_or_never(restart);
}

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
      service.image = text_of(definition.value("image", nlohmann::json()));
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
      service.ports = ports_from_json(definition.value("ports", nlohmann::json()));
      service.network_mode = text_of(definition.value("network_mode", nlohmann::json()));
      service.restart = text_of(definition.value("restart", nlohmann::json()));
      service.one_shot = !service.restart.empty() && service.may_complete();
      result.services.push_back(std::move(service));
    }
    for (const auto& name : completion_dependencies(services)) {
      for (auto& service : result.services) {
        service.one_shot = service.one_shot || service.name == name;
      }
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
