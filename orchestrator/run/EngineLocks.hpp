#pragma once

#include "core/Quantities.hpp"
#include "locking/EnvironmentLock.hpp"
#include "run/RunEngines.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace orchestrate {

// The environment lock per Docker engine (docs/scale-out.md, "Ownership and cleanup"): a run of
// a project with `engines:` holds `<env>@<engine>.lock` for every engine it uses, so two runs of
// one environment on different engines go side by side and two on one engine take turns. The key
// is the engine's own ID (GET /info), so two addresses of one engine share its lock; a run takes
// its locks in the order of their keys, so two runs never wait for each other crosswise.

// The lock file key of an engine whose ID is `engine_id`: each character that an environment
// name may not have (anything but letters, digits, '-', '_', '.') becomes '-', as do a leading
// '.'; "unknown" for an empty ID.
std::string engine_lock_key(const std::string& engine_id);

struct EngineLockTarget
{
  std::string key;   // engine_lock_key of its ID
  std::string name;  // the engine's configured name, for the messages
};

// `targets` sorted by key, each key once (the first name kept): the order a run takes them in.
std::vector<EngineLockTarget> engine_lock_order(std::vector<EngineLockTarget> targets);

// Takes the lock of `env` on each engine of `engines`, in engine_lock_order, each waiting up to
// `timeout` (`on_wait` gets the engine's name and the holder, once per lock found held). An engine
// after the main one whose ID cannot be read is left out first (a line to `warn`); the main
// engine's failure throws what DockerEngine throws. Throws as EnvironmentLock::acquire; the locks
// taken so far are released then.
std::vector<EnvironmentLock> lock_environment_on_engines(
  RunEngines& engines, const std::filesystem::path& lock_dir, const std::string& env,
  Milliseconds timeout, bool shared, const std::function<void(const std::string&)>& warn,
  const std::function<void(const std::string&, const LockHolder&)>& on_wait);

}  // namespace orchestrate
