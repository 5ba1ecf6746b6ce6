#include "environments/EnvironmentStatus.hpp"

#include "docker/ResourceLabels.hpp"

#include <algorithm>
#include <tuple>

namespace orchestrate {

namespace {

std::string ports_text(const std::map<int, int>& ports)
{
  if (ports.empty()) {
    return "-";
  }
  std::string text;
  for (const auto& [container_port, host_port] : ports) {
    text += (text.empty() ? "" : ", ") + std::string("localhost:") + std::to_string(host_port) +
            "->" + std::to_string(container_port);
  }
  return text;
}

std::string padded(const std::string& text, std::size_t width)
{
  return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
}

}  // namespace

bool EnvironmentStatus::is_up() const
{
  return !services.empty() &&
         std::all_of(services.begin(), services.end(), [](const ServiceStatus& service) {
           return service.state == "completed" ||
                  (service.state == "running" &&
                   (service.health.empty() || service.health == "healthy"));
         });
}

EnvironmentStatus read_environment_status(DockerEngine& engine, const std::string& environment,
                                          const std::string& stack)
{
  EnvironmentStatus status{environment, stack, {}};
  for (auto& container : engine.list_containers({label_filter(labels::k_stack, stack)})) {
    auto service = container.labels.find(labels::k_compose_service);
    status.services.push_back({service == container.labels.end() ? container.name : service->second,
                               container.name,
                               container.state == "exited" && container.exit_code == 0
                                 ? "completed"
                                 : container.state,
                               container.health,
                               std::move(container.published_tcp_ports)});
  }
  std::sort(status.services.begin(), status.services.end(),
            [](const ServiceStatus& a, const ServiceStatus& b) {
              return std::tie(a.service, a.container) < std::tie(b.service, b.container);
            });
  return status;
}

std::string format_environment_status(const EnvironmentStatus& status)
{
  if (status.services.empty()) {
    return status.environment + " environment (stack " + status.stack + "): not running\n";
  }
  const std::vector<std::string> headings{"SERVICE", "CONTAINER", "STATE", "HEALTH", "PORTS"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& service : status.services) {
    rows.push_back({service.service, service.container, service.state,
                    service.health.empty() ? "-" : service.health,
                    ports_text(service.published_tcp_ports)});
  }
  std::vector<std::size_t> widths;
  for (const auto& heading : headings) {
    widths.push_back(heading.size());
  }
  for (const auto& row : rows) {
    for (std::size_t column = 0; column < row.size(); ++column) {
      widths[column] = std::max(widths[column], row[column].size());
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text = " ";
    for (std::size_t column = 0; column < cells.size(); ++column) {
      // The last column is not padded, so lines carry no trailing blanks.
      text += " " + (column + 1 < cells.size() ? padded(cells[column], widths[column] + 1)
                                               : cells[column]);
    }
    return text + "\n";
  };
  std::string text = status.environment + " environment (stack " + status.stack + "): " +
                     (status.is_up() ? "up" : "not healthy") + "\n" + line(headings);
  for (const auto& row : rows) {
    text += line(row);
  }
  return text;
}

}  // namespace orchestrate
