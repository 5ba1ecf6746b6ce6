#pragma once

#include "config/ProjectConfig.hpp"
#include "config/SuiteConfig.hpp"
#include "core/Quantities.hpp"

#include <optional>

namespace orchestrate {

// Whether a run takes part in the pool of warm stacks, and how long the stacks it returns may
// wait there (docs/warm-stacks.md).
struct PoolSettings
{
  bool reuse = false;
  Milliseconds ttl{900'000};
};

// The command line wins (`--reuse`, `--no-reuse`, `--reuse-ttl`), then the suite's `reuse:`, then
// orchestrate.yaml's `defaults.reuse` and `defaults.reuse_ttl`. Throws nothing.
PoolSettings resolve_pool_settings(std::optional<bool> reuse_option,
                                   std::optional<Milliseconds> ttl_option,
                                   const SuiteConfig& suite, const RunDefaults& defaults);

}  // namespace orchestrate
