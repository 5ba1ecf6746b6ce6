#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace orchestrate {

// One rule that compose files of a test stack must follow (docs/lint.md describes them all).
struct LintRule
{
  std::string name;     // e.g. "memory-limit": what violations carry and users search for
  std::string summary;  // one line: what the rule asks for
  std::string why;      // a paragraph: what goes wrong without it, and how to comply
};

// The rule names, used by the checks and in the table of lint_rules().
namespace lint_rule {
inline constexpr const char* k_memory_limit = "memory-limit";
inline constexpr const char* k_cpu_limit = "cpu-limit";
inline constexpr const char* k_tmpfs_size = "tmpfs-size";
inline constexpr const char* k_healthcheck = "healthcheck";
inline constexpr const char* k_log_rotation = "log-rotation";
inline constexpr const char* k_container_name = "container-name";
inline constexpr const char* k_fixed_host_port = "fixed-host-port";
inline constexpr const char* k_privileged = "privileged";
inline constexpr const char* k_docker_socket = "docker-socket";
// Every rule name, in the order of lint_rules(); header-only, so that the configuration loader can
// check the names of orchestrate.yaml's `policy` without linking the lint.
inline constexpr std::array<const char*, 9> k_names = {
  k_memory_limit, k_cpu_limit,     k_tmpfs_size,  k_healthcheck,   k_log_rotation,
  k_container_name, k_fixed_host_port, k_privileged, k_docker_socket,
};
}  // namespace lint_rule

// Every rule, in the order lint checks and lists them. The table is static; throws nothing.
const std::vector<LintRule>& lint_rules();

// The rule called `name`, or nullptr when there is none. Throws nothing.
const LintRule* find_lint_rule(std::string_view name);

}  // namespace orchestrate
