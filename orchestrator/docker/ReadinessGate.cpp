#include "docker/ReadinessGate.hpp"

#include "docker/ResourceLabels.hpp"
#include "process/SignalState.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <fcntl.h>

namespace orchestrate {

namespace {

constexpr Milliseconds k_poll_interval(200);
constexpr const char* k_compose_service_label = "com.docker.compose.service";

const ContainerSummary* find_service_container(const std::vector<ContainerSummary>& containers,
                                               const std::string& service)
{
  for (const auto& container : containers) {
    auto label = container.labels.find(k_compose_service_label);
    if (label != container.labels.end() && label->second == service) {
      return &container;
    }
  }
  return nullptr;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to)
{
  for (auto position = text.find(from); position != std::string::npos;
       position = text.find(from, position + to.size())) {
    text.replace(position, from.size(), to);
  }
  return text;
}

}  // namespace

ReadinessGate::ReadinessGate(DockerEngine& engine, std::string stack_name)
  : m_engine(engine),
    m_stack_name(std::move(stack_name))
{
}

std::map<std::string, ReadyEndpoint> ReadinessGate::wait(const std::vector<FixtureConfig>& fixtures,
                                                         Milliseconds timeout)
{
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::vector<std::string> filters{label_filter(labels::k_stack, m_stack_name)};
  std::map<std::string, ReadyEndpoint> ready;
  std::string waiting_for;

  auto fail = [&](const FixtureConfig& fixture, const ContainerSummary* container,
                  const std::string& reason) {
    std::string message = "stack " + m_stack_name + ": service '" + fixture.service +
                          "' (fixture " + fixture.name + ") " + reason;
    if (container != nullptr) {
      message += "\n--- last log lines of " + fixture.service + " ---\n" +
                 m_engine.container_logs(container->id, 40);
    }
    throw StackNotReadyError(message);
  };

  while (true) {
    if (interrupt_count() > 0) {
      throw Error(ExitCode::k_interrupted, "interrupted while waiting for " + m_stack_name);
    }
    const auto containers = m_engine.list_containers(filters);
    waiting_for.clear();
    for (const auto& fixture : fixtures) {
      if (ready.count(fixture.name) != 0) {
        continue;
      }
      const auto* container = find_service_container(containers, fixture.service);
      if (container == nullptr) {
        waiting_for = fixture.service + " (no container yet)";
        continue;
      }
      if (container->state == "exited" || container->state == "dead") {
        fail(fixture, container, "exited before it became ready");
      }
      if (container->health == "unhealthy") {
        fail(fixture, container, "reported unhealthy");
      }
      auto port = container->published_tcp_ports.find(fixture.container_port);
      if (port == container->published_tcp_ports.end()) {
        if (container->state == "running") {
          fail(fixture, container,
               "publishes no host port for container port " +
                 std::to_string(fixture.container_port) + " (add `ports: [\"127.0.0.1::" +
                 std::to_string(fixture.container_port) + "\"]`)");
        }
        waiting_for = fixture.service + " (" + container->state + ")";
        continue;
      }
      const ReadyEndpoint endpoint{"127.0.0.1", port->second};
      bool is_ready = false;
      switch (fixture.readiness.kind) {
      case ReadinessSpec::Kind::k_health:
        if (container->state == "running" && container->health.empty()) {
          fail(fixture, container,
               "has no healthcheck, but its fixture gates on health (add one, or use kind: port)");
        }
        is_ready = container->health == "healthy";
        break;
      case ReadinessSpec::Kind::k_port:
        is_ready = container->state == "running" &&
                   tcp_port_accepts(endpoint.host, endpoint.port, Milliseconds(200));
        break;
      case ReadinessSpec::Kind::k_log_line:
        is_ready = m_engine.container_logs(container->id, 500).find(
                     fixture.readiness.log_pattern) != std::string::npos;
        break;
      }
      if (is_ready) {
        spdlog::debug("{}: {} ready on {}:{}", m_stack_name, fixture.service, endpoint.host,
                      endpoint.port);
        ready[fixture.name] = endpoint;
      } else {
        waiting_for = fixture.service + " (" + (container->health.empty() ? container->state
                                                                          : container->health) +
                      ")";
      }
    }
    if (ready.size() == fixtures.size()) {
      return ready;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      for (const auto& fixture : fixtures) {
        if (ready.count(fixture.name) == 0) {
          fail(fixture, find_service_container(containers, fixture.service),
               "was not ready within " + format_seconds(timeout) + ", still waiting for " +
                 waiting_for);
        }
      }
    }
    std::this_thread::sleep_for(k_poll_interval);
  }
}

bool tcp_port_accepts(const std::string& host, int port, Milliseconds timeout)
{
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &address.sin_addr);
  bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  if (!connected && errno == EINPROGRESS) {
    pollfd descriptor{fd, POLLOUT, 0};
    if (::poll(&descriptor, 1, static_cast<int>(timeout.count())) == 1) {
      int error = 0;
      socklen_t length = sizeof error;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
      connected = error == 0;
    }
  }
  ::close(fd);
  return connected;
}

std::map<std::string, std::string> fixture_environment(const FixtureConfig& fixture,
                                                       const ReadyEndpoint& endpoint)
{
  std::map<std::string, std::string> environment;
  for (const auto& [name, value] : fixture.environment) {
    environment[name] =
      replace_all(replace_all(value, "{host}", endpoint.host), "{port}", std::to_string(endpoint.port));
  }
  return environment;
}

}  // namespace orchestrate
