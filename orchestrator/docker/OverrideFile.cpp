#include "docker/OverrideFile.hpp"

#include "core/Error.hpp"

#include <algorithm>
#include <fstream>
#include <yaml-cpp/yaml.h>

namespace orchestrate {

namespace {

void emit_labels(YAML::Emitter& out, const std::map<std::string, std::string>& labels)
{
  out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
  for (const auto& [key, value] : labels) {
    // Quoted: a label that looks like a number is still a string to compose.
    out << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << value;
  }
  out << YAML::EndMap;
}

// `ports: !override [...]`: `container_ports` on loopback with ephemeral host ports, then the
// service's entries for its other ports as the model has them (long syntax).
void emit_ports(YAML::Emitter& out, const ResolvedService& service,
                const std::vector<int>& container_ports, const std::string& address)
{
  // An IPv6 address is written in brackets in compose's short syntax.
  const std::string host = address.find(':') != std::string::npos ? "[" + address + "]" : address;
  out << YAML::Key << "ports" << YAML::Value << YAML::LocalTag("override") << YAML::BeginSeq;
  for (const int port : container_ports) {
    out << YAML::DoubleQuoted << host + "::" + std::to_string(port);
  }
  for (const auto& port : service.ports) {
    const bool replaced = port.protocol == "tcp" &&
                          std::find(container_ports.begin(), container_ports.end(),
                                    port.target) != container_ports.end();
    if (replaced) {
      continue;
    }
    out << YAML::BeginMap << YAML::Key << "target" << YAML::Value << port.target;
    if (!port.published.empty()) {
      out << YAML::Key << "published" << YAML::Value << YAML::DoubleQuoted << port.published;
    }
    if (!port.host_ip.empty()) {
      out << YAML::Key << "host_ip" << YAML::Value << YAML::DoubleQuoted << port.host_ip;
    }
    out << YAML::Key << "protocol" << YAML::Value << port.protocol << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

}  // namespace

std::string override_file_text(const ComposeModel& model,
                               const std::map<std::string, std::string>& labels,
                               const PublishedPorts& published, const std::string& address)
{
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "services" << YAML::Value << YAML::BeginMap;
  for (const auto& service : model.services) {
    out << YAML::Key << service.name << YAML::Value << YAML::BeginMap;
    emit_labels(out, labels);
    const auto ports = published.find(service.name);
    if (ports != published.end()) {
      emit_ports(out, service, ports->second, address);
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  out << YAML::Key << "networks" << YAML::Value << YAML::BeginMap;
  // `default` is created by compose even when no file names it; labelling it lets the sweep find it.
  std::vector<std::string> networks{"default"};
  for (const auto& network : model.networks) {
    if (network != "default") {
      networks.push_back(network);
    }
  }
  for (const auto& network : networks) {
    out << YAML::Key << network << YAML::Value << YAML::BeginMap;
    emit_labels(out, labels);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  if (!model.volumes.empty()) {
    out << YAML::Key << "volumes" << YAML::Value << YAML::BeginMap;
    for (const auto& volume : model.volumes) {
      out << YAML::Key << volume << YAML::Value << YAML::BeginMap;
      emit_labels(out, labels);
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  if (!out.good()) {
    throw InternalError("could not emit the compose override: " + out.GetLastError());
  }
  return std::string(out.c_str()) + "\n";
}

void write_override_file(const std::filesystem::path& path, const ComposeModel& model,
                         const std::map<std::string, std::string>& labels,
                         const PublishedPorts& published, const std::string& address)
{
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  std::ofstream out(path, std::ios::trunc);
  out << override_file_text(model, labels, published, address);
  out.close();
  if (!out) {
    throw InternalError("could not write compose override file " + path.string());
  }
}

}  // namespace orchestrate
