#include "policy/ComposeLint.hpp"

#include "policy/ComposeServices.hpp"
#include "policy/ComposeShortSyntax.hpp"
#include "policy/YamlMergeKeys.hpp"

#include <algorithm>
#include <array>

namespace orchestrate {

namespace {

// Where the engine listens; mounting either, or a folder holding them, hands over the engine.
constexpr std::array<std::string_view, 2> k_docker_sockets = {"/var/run/docker.sock",
                                                              "/run/docker.sock"};
constexpr std::array<std::string_view, 4> k_docker_socket_folders = {"/", "/var", "/var/run",
                                                                     "/run"};

// YAML 1.2's true, which is what compose reads (yes/on are strings there).
bool is_true(const YAML::Node& node)
{
  return node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "True" ||
                             node.Scalar() == "TRUE");
}

std::string scalar_or_empty(const YAML::Node& node)
{
  return node.IsScalar() ? node.Scalar() : std::string();
}

std::string normal_path(const std::string& path)
{
  auto normal = std::filesystem::path(path).lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') {
    normal.pop_back();
  }
  return normal;
}

bool mounts_docker_socket(const std::string& source, const std::string& target)
{
  const auto source_path = normal_path(source);
  const auto target_path = normal_path(target);
  for (const auto socket : k_docker_sockets) {
    if (source_path == socket || target_path == socket) {
      return true;
    }
  }
  for (const auto folder : k_docker_socket_folders) {
    if (source_path == folder) {
      return true;
    }
  }
  // Rootless engines and custom setups keep the socket elsewhere, under the same name.
  return std::filesystem::path(source_path).filename() == "docker.sock";
}

// The checks of one service, each adding what it finds to `violations`.
class ServiceLint
{
public:
  ServiceLint(const ComposeService& service,
              const LintOptions& options,
              std::vector<LintViolation>& violations)
    : m_service(service),
      m_options(options),
      m_violations(violations)
  {
  }

  void check_all()
  {
    check_limit(lint_rule::k_memory_limit, "memory", "memory", "mem_limit", "256M");
    check_limit(lint_rule::k_cpu_limit, "CPU", "cpus", "cpus", "\"0.5\"");
    check_tmpfs_sizes();
    check_healthcheck();
    check_log_rotation();
    check_container_name();
    check_host_ports();
    check_privileged();
    check_docker_socket();
  }

private:
  void report_at_service(const char* rule, const std::string& message)
  {
    m_violations.push_back({rule, m_service.file, m_service.line, m_service.name, message});
  }

  void report_at(const char* rule, const ServiceSetting& setting, std::string message)
  {
    if (!setting.inherited_from.empty()) {
      message += " (inherited through extends from service '" + setting.inherited_from + "')";
    }
    m_violations.push_back({rule, setting.file, setting.line, m_service.name, message});
  }

  // A limit is deploy.resources.limits.<deploy_key> or the older top-level <short_key>.
  void check_limit(const char* rule,
                   const std::string& what,
                   const std::string& deploy_key,
                   const std::string& short_key,
                   const std::string& example)
  {
    auto limit = effective_setting(m_service, {"deploy", "resources", "limits", deploy_key});
    if (!limit) {
      limit = effective_setting(m_service, {short_key});
    }
    if (!limit) {
      report_at_service(rule, "no " + what + " limit; set deploy.resources.limits." + deploy_key +
                                " (or " + short_key + "), e.g. " + example);
    } else if (is_zero_quantity(scalar_or_empty(limit->value))) {
      report_at(rule, *limit, "a " + what + " limit of 0 means no limit; set e.g. " + example);
    }
  }

  void check_tmpfs_size(const ServiceSetting& at,
                        const std::string& target,
                        const std::optional<std::string>& size,
                        const std::string& how)
  {
    if (!size) {
      report_at(lint_rule::k_tmpfs_size, at, "tmpfs " + target + " has no size; " + how);
    } else if (is_zero_quantity(*size)) {
      report_at(lint_rule::k_tmpfs_size, at,
                "tmpfs " + target + " has size 0, which means no limit; " + how);
    }
  }

  void check_tmpfs_sizes()
  {
    for (const auto& item : list_settings(m_service, "tmpfs")) {
      const auto tmpfs = parse_short_tmpfs(scalar_or_empty(item.value));
      check_tmpfs_size(item, tmpfs.target, tmpfs.size,
                       "write e.g. '" + tmpfs.target + ":size=64m'");
    }
    for (const auto& item : list_settings(m_service, "volumes")) {
      const auto type = find_merged(item.value, "type");
      if (!type || scalar_or_empty(type->value) != "tmpfs") {
        continue;
      }
      const auto target = find_merged(item.value, "target");
      const auto options = find_merged(item.value, "tmpfs");
      const auto size = options ? find_merged(options->value, "size") : std::nullopt;
      check_tmpfs_size(item, target ? scalar_or_empty(target->value) : std::string("volume"),
                       size ? std::optional(scalar_or_empty(size->value)) : std::nullopt,
                       "add e.g. 'tmpfs: {size: 64m}'");
    }
  }

  void check_healthcheck()
  {
    if (m_options.health_gated_services.count(m_service.name) == 0) {
      return;
    }
    if (!effective_setting(m_service, {"healthcheck"})) {
      report_at_service(lint_rule::k_healthcheck,
                        "a fixture waits for this service to be healthy, but it has no "
                        "healthcheck; add one, e.g. healthcheck: {test: [CMD, ...], interval: 1s}");
      return;
    }
    const auto disabled = effective_setting(m_service, {"healthcheck", "disable"});
    if (disabled && is_true(disabled->value)) {
      report_at(lint_rule::k_healthcheck, *disabled,
                "a fixture waits for this service to be healthy, but its healthcheck is "
                "disabled");
      return;
    }
    const auto test = effective_setting(m_service, {"healthcheck", "test"});
    if (test) {
      const auto first = test->value.IsSequence() && test->value.size() > 0 ? test->value[0]
                                                                             : test->value;
      if (scalar_or_empty(first) == "NONE") {
        report_at(lint_rule::k_healthcheck, *test,
                  "a fixture waits for this service to be healthy, but its healthcheck test is "
                  "NONE, which disables it");
      }
    }
  }

  void check_log_rotation()
  {
    const auto logging = effective_setting(m_service, {"logging"});
    if (!logging) {
      report_at_service(lint_rule::k_log_rotation,
                        "no logging settings, so Docker's default json-file driver keeps the log "
                        "without limit; set logging: {driver: json-file, options: "
                        "{max-size: 10m}}");
      return;
    }
    const auto driver = effective_setting(m_service, {"logging", "driver"});
    const auto name = driver ? scalar_or_empty(driver->value) : std::string("json-file");
    if (name == "local" || name == "none") {
      return;
    }
    if (name != "json-file") {
      report_at(lint_rule::k_log_rotation, *driver,
                "logging driver '" + name +
                  "' is not one orchestrate can bound and read back; use json-file with "
                  "options.max-size, or local");
      return;
    }
    const auto max_size = effective_setting(m_service, {"logging", "options", "max-size"});
    if (!max_size) {
      report_at(lint_rule::k_log_rotation, driver ? *driver : *logging,
                "json-file logs are not rotated; set logging.options.max-size, e.g. 10m");
    } else if (scalar_or_empty(max_size->value) == "-1") {
      report_at(lint_rule::k_log_rotation, *max_size,
                "max-size -1 means no rotation; set e.g. 10m");
    }
  }

  void check_container_name()
  {
    if (const auto name = effective_setting(m_service, {"container_name"})) {
      report_at(lint_rule::k_container_name, *name,
                "container_name '" + scalar_or_empty(name->value) +
                  "' is the same in every shard's stack; remove it and let compose name the "
                  "container");
    }
  }

  // Whether orchestrate replaces the publication of `container_port` ("5432", "5432/tcp") of this
  // service in the test stacks.
  bool replaced_by_orchestrate(const std::string& container_port,
                               const std::string& protocol = "tcp") const
  {
    const auto replaced = m_options.replaced_ports.find(m_service.name);
    if (replaced == m_options.replaced_ports.end() || protocol != "tcp") {
      return false;
    }
    for (const int port : replaced->second) {
      if (container_port == std::to_string(port) ||
          container_port == std::to_string(port) + "/tcp") {
        return true;
      }
    }
    return false;
  }

  void check_host_ports()
  {
    for (const auto& item : list_settings(m_service, "ports")) {
      if (item.value.IsScalar()) {
        const auto port = parse_short_port(item.value.Scalar());
        if (replaced_by_orchestrate(port.container_port)) {
          continue;
        }
        if (!port.host_port.empty() && port.host_port != "0") {
          report_at(lint_rule::k_fixed_host_port, item,
                    "'" + item.value.Scalar() + "' publishes fixed host port " + port.host_port +
                      "; write '127.0.0.1::" + port.container_port + "' for an ephemeral port");
        }
        continue;
      }
      const auto target = find_merged(item.value, "target");
      const auto protocol = find_merged(item.value, "protocol");
      if (target && replaced_by_orchestrate(scalar_or_empty(target->value),
                                            protocol ? scalar_or_empty(protocol->value) : "tcp")) {
        continue;
      }
      const auto published = find_merged(item.value, "published");
      const auto host_port = published ? scalar_or_empty(published->value) : std::string();
      if (!host_port.empty() && host_port != "0") {
        report_at(lint_rule::k_fixed_host_port,
                  {item.file, published->key.Mark().line + 1, published->value,
                   item.inherited_from},
                  "publishes fixed host port " + host_port +
                    "; leave 'published' out for an ephemeral port");
      }
    }
    const auto network_mode = effective_setting(m_service, {"network_mode"});
    if (network_mode && scalar_or_empty(network_mode->value) == "host") {
      report_at(lint_rule::k_fixed_host_port, *network_mode,
                "network_mode: host listens on the host's own ports; use the stack's network "
                "and publish ports as '127.0.0.1::PORT'");
    }
  }

  void check_privileged()
  {
    const auto privileged = effective_setting(m_service, {"privileged"});
    if (privileged && is_true(privileged->value)) {
      report_at(lint_rule::k_privileged, *privileged,
                "privileged: true gives the container the whole host; add the capability it "
                "needs with cap_add instead");
    }
  }

  void check_docker_socket()
  {
    if (m_options.allow_docker_socket_mount) {
      return;
    }
    for (const auto& item : list_settings(m_service, "volumes")) {
      ShortVolume volume;
      if (item.value.IsScalar()) {
        volume = parse_short_volume(item.value.Scalar());
      } else {
        const auto source = find_merged(item.value, "source");
        const auto target = find_merged(item.value, "target");
        volume.source = source ? scalar_or_empty(source->value) : "";
        volume.target = target ? scalar_or_empty(target->value) : "";
      }
      if (mounts_docker_socket(volume.source, volume.target)) {
        report_at(lint_rule::k_docker_socket, item,
                  "mounts " + (volume.source.empty() ? volume.target : volume.source) +
                    ", which hands the container the Docker engine; remove the mount, or set "
                    "allow_docker_socket_mount: true in orchestrate.yaml");
      }
    }
  }

  const ComposeService& m_service;
  const LintOptions& m_options;
  std::vector<LintViolation>& m_violations;
};

}  // namespace

std::vector<LintViolation> lint_compose_files(const std::vector<std::filesystem::path>& files,
                                              const LintOptions& options)
{
  return lint_compose_services(load_compose_services(files), options);
}

std::vector<LintViolation> lint_compose_services(const std::vector<ComposeService>& services,
                                                 const LintOptions& options)
{
  std::vector<LintViolation> found;
  for (const auto& service : services) {
    ServiceLint(service, options, found).check_all();
  }
  // Checked in full and filtered after: the levels are the project's choice, not the rules'.
  std::vector<LintViolation> violations;
  for (auto& violation : found) {
    const auto level = options.levels.find(violation.rule);
    violation.level = level == options.levels.end() ? RuleLevel::k_error : level->second;
    if (violation.level != RuleLevel::k_off) {
      violations.push_back(std::move(violation));
    }
  }
  return violations;
}

std::string format_violation(const LintViolation& violation)
{
  return std::string(violation.level == RuleLevel::k_warn ? "warning: " : "") +
         violation.file.string() + ":" + std::to_string(violation.line) + ": [" + violation.rule +
         "] service '" + violation.service + "': " + violation.message;
}

bool has_errors(const std::vector<LintViolation>& violations)
{
  return std::any_of(violations.begin(), violations.end(), [](const LintViolation& violation) {
    return violation.level == RuleLevel::k_error;
  });
}

}  // namespace orchestrate
