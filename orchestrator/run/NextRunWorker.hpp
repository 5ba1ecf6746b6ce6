#pragma once

#include "config/SuiteConfig.hpp"
#include "docker/ReadinessGate.hpp"
#include "runners/ParkedPytestWorker.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// The warm pytest worker that a --reuse run leaves beside a stack it returns, for the next run
// (docs/warm-stacks.md, "Warm workers"). When the stack's resets keep its ports (no fixture resets
// by `recreate`), it starts as soon as the shard has no more tests to take, so that its imports
// and collection overlap the shard's last tests and the reset: a run started right after this one
// then finds it ready sooner. Otherwise it starts once the stack is reset, with the ports the stack
// publishes then. A worker never handed over to the pool (the stack was not returned: broken,
// interrupted, its reset failed) is stopped by the destructor. Not thread-safe: the shard's thread
// uses it.
class NextRunWorker
{
public:
  // `directory`: the stack's warm worker folder; `fixtures` must outlive this object.
  NextRunWorker(std::filesystem::path directory, const std::vector<FixtureConfig>& fixtures,
                Milliseconds ttl);
  ~NextRunWorker();

  NextRunWorker(const NextRunWorker&) = delete;
  NextRunWorker& operator=(const NextRunWorker&) = delete;

  // How the next run will start its worker on this stack. The first call decides; later ones
  // are ignored.
  void plan(const PytestWorkerOptions& options,
            const std::map<std::string, std::string>& environment);

  // After the stack's reset succeeded, for its pool record: the escape token of the worker parked
  // for it (started now, with the fixtures' `endpoints`, when it was not started early); "" when
  // none was planned or it could not start. It is the pool's from then on.
  std::string hand_over(const std::map<std::string, ReadyEndpoint>& endpoints,
                        long long deadline);

private:
  std::filesystem::path m_directory;
  const std::vector<FixtureConfig>& m_fixtures;
  Milliseconds m_ttl;
  std::optional<PytestWorkerOptions> m_options;
  std::map<std::string, std::string> m_environment;
  std::optional<ParkedPytestWorker> m_parked;
  bool m_handed_over = false;
};

}  // namespace orchestrate
