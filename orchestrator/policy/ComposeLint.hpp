#pragma once

#include "config/ProjectConfig.hpp"
#include "policy/ComposeServices.hpp"
#include "policy/LintRules.hpp"

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace orchestrate {

// Lint: checks the compose files of a test stack against the rules of lint_rules() before anything
// starts (`orchestrate lint`, and the start of a run). docs/lint.md describes the rules.

// One broken rule.
struct LintViolation
{
  std::string rule;            // a LintRule name, e.g. "memory-limit"
  std::filesystem::path file;  // where to fix it: the offending key's file, else the service's
  int line = 0;                // 1-based: the offending key's line, else the service's
  std::string service;         // the service as the linted files name it
  std::string message;         // what is wrong and what to write instead
  RuleLevel level = RuleLevel::k_error;  // from LintOptions::levels: error or warn (never off)
};

struct LintOptions
{
  bool allow_docker_socket_mount = false;       // orchestrate.yaml's setting of that name
  std::set<std::string> health_gated_services;  // services a fixture waits on to be healthy
  // orchestrate.yaml's `policy`: a rule named here is enforced at that level, others are errors.
  std::map<std::string, RuleLevel> levels;
  // Container ports (tcp) by service that orchestrate publishes itself in the test stacks,
  // replacing what the compose file publishes for them: a fixed host port for one of them
  // cannot collide between shards, so fixed-host-port does not report it.
  std::map<std::string, std::set<int>> replaced_ports;
};

// Lints `files` as one set (rules at level off in options.levels are skipped; the others'
// violations carry their level), the way compose merges them with -f in order: a later file may add the
// limit an earlier one lacks, and settings inherited through `extends` count (a limit in the
// template satisfies the rule). A setting that breaks a rule is reported at its own key, in the
// file that writes it (which may be the template's file); a missing setting at the line where the
// service is first defined. Violations come service by service, in the order of lint_rules().
// Throws ConfigError `path:line: ...` for a missing or unreadable file, invalid YAML, or a
// structure compose would refuse (see load_compose_services).
std::vector<LintViolation> lint_compose_files(const std::vector<std::filesystem::path>& files,
                                              const LintOptions& options);

// The same for services already loaded with load_compose_services (a run loads them once).
std::vector<LintViolation> lint_compose_services(const std::vector<ComposeService>& services,
                                                 const LintOptions& options);

// "file:line: [rule] service 'x': message", with "warning: " in front at level warn. Throws
// nothing.
std::string format_violation(const LintViolation& violation);

// Whether any of `violations` is at level error (one that refuses the stack). Throws nothing.
bool has_errors(const std::vector<LintViolation>& violations);

}  // namespace orchestrate
