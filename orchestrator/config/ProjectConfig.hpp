#pragma once

#include "config/EngineConfig.hpp"
#include "core/Quantities.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// One named environment of the project: `test` (shard stacks) or `dev` (one long-lived stack).
struct EnvironmentConfig
{
  std::string name;
  std::vector<std::filesystem::path> compose_files;  // absolute, in -f order
};

// Values a run uses unless the command line says otherwise.
struct RunDefaults
{
  int parallel = 4;
  bool parallel_auto = false;  // `parallel: auto`: the run chooses (run/ShardCountChoice.hpp)
  Milliseconds readiness_timeout{60'000};  // per stack, from `up` to every fixture ready
  // Stop grace period at teardown. 0: kill at once (test data is thrown away); more: SIGTERM, then
  // `docker compose down -t` waits that long before SIGKILL.
  Milliseconds stop_timeout{0};
  Milliseconds lock_timeout{600'000};      // how long a run waits for the environment lock
  Milliseconds test_timeout{0};            // per test; 0 means none
  Milliseconds collect_timeout{300'000};   // the central collection (imports of every module)
  bool reuse = false;                      // keep shard stacks warm between runs (--reuse)
  Milliseconds reuse_ttl{900'000};         // how long a warm stack waits idle in the pool
  // Stacks of one engine starting at once (run/StartSlotCount.hpp); 0: unlimited; empty: the
  // engine's CPU count.
  std::optional<int> start_slots;
};

// How a policy rule (a lint rule of docs/lint.md) is enforced: `error` refuses the stack (the
// default for every rule), `warn` prints the finding and goes on, `off` skips the rule.
enum class RuleLevel {
  k_error,
  k_warn,
  k_off,
};

// orchestrate.yaml at the repository root. Paths are absolute, resolved against `root`.
struct ProjectConfig
{
  std::filesystem::path root;         // folder holding orchestrate.yaml
  std::filesystem::path source_path;  // orchestrate.yaml itself
  std::string prefix;                 // project prefix of every compose project name
  std::map<std::string, EnvironmentConfig> environments;  // at least `test`
  std::string python = "/usr/bin/python3";
  std::filesystem::path suites_dir;    // default <root>/suites
  std::filesystem::path fixtures_dir;  // default <root>/fixtures
  std::filesystem::path lock_dir;      // default <root>/.orchestrate/locks
  std::filesystem::path state_dir;     // default <root>/.orchestrate (runs, durations)
  int keep_runs = 20;  // run folders kept under <state_dir>/runs (newest first); 0: all
  std::uint64_t memory_budget_bytes = 4ull << 30;
  bool allow_docker_socket_mount = false;
  RunDefaults defaults;
  std::map<std::string, RuleLevel> policy;  // `policy:` by rule name; a rule not named: error
  // `engines:` in file order; empty: one engine, the default (DOCKER_HOST, DOCKER_CONTEXT, the
  // docker CLI's current context, else the local socket). See docs/scale-out.md.
  std::vector<EngineConfig> engines;
};

}  // namespace orchestrate
