#include "pool/PoolSettings.hpp"

namespace orchestrate {

PoolSettings resolve_pool_settings(std::optional<bool> reuse_option,
                                   std::optional<Milliseconds> ttl_option,
                                   const SuiteConfig& suite, const RunDefaults& defaults)
{
  PoolSettings settings;
  settings.reuse = reuse_option.value_or(suite.reuse.value_or(defaults.reuse));
  settings.ttl = ttl_option.value_or(defaults.reuse_ttl);
  return settings;
}

}  // namespace orchestrate
