#include "run/EngineLocks.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <optional>

namespace orchestrate {

std::string engine_lock_key(const std::string& engine_id)
{
  if (engine_id.empty()) {
    return "unknown";
  }
  std::string key = engine_id;
  for (auto& c : key) {
    const bool allowed =
      std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
    if (!allowed) {
      c = '-';
    }
  }
  if (key.front() == '.') {
    key.front() = '-';
  }
  return key;
}

std::vector<EngineLockTarget> engine_lock_order(std::vector<EngineLockTarget> targets)
{
  std::stable_sort(targets.begin(), targets.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
  targets.erase(std::unique(targets.begin(), targets.end(),
                            [](const auto& a, const auto& b) { return a.key == b.key; }),
                targets.end());
  return targets;
}

std::vector<EnvironmentLock> lock_environment_on_engines(
  RunEngines& engines, const std::filesystem::path& lock_dir, const std::string& env,
  Milliseconds timeout, bool shared, const std::function<void(const std::string&)>& warn,
  const std::function<void(const std::string&, const LockHolder&)>& on_wait)
{
  std::vector<EngineLockTarget> targets{
    {engine_lock_key(engines.main().engine_id()), engines.main().endpoint().name}};
  engines.leave_out_engines(
    [&targets, &env](DockerEngine& engine) -> std::optional<std::string> {
      try {
        targets.push_back({engine_lock_key(engine.engine_id()), engine.endpoint().name});
        return std::nullopt;
      } catch (const std::exception& error) {
        return "engine " + engine.endpoint().name + ": could not read its ID for the " + env +
               " environment lock (" + error.what() + "): this run places no stack on it";
      }
    },
    warn);
  // One timeout for them all, as for the one lock of a single-engine project.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<EnvironmentLock> locks;
  for (const auto& target : engine_lock_order(std::move(targets))) {
    const auto left = std::max(Milliseconds(0), std::chrono::duration_cast<Milliseconds>(
                                                  deadline - std::chrono::steady_clock::now()));
    locks.push_back(EnvironmentLock::acquire_for_engine(
      lock_dir, env, target.key, left,
      [&](const LockHolder& holder) { on_wait(target.name, holder); }, shared));
  }
  return locks;
}

}  // namespace orchestrate
