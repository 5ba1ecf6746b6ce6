#pragma once

#include "pool/PoolInventory.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace orchestrate {

// `orchestrate pool status`: one line per warm stack, as a table:
//   STACK  KEY  AGE  DEADLINE  CLAIMED BY
// AGE is since the stack was created, DEADLINE "in 14m" or "passed 2m ago" ("-" without a
// record), CLAIMED BY the claim's holder or "-". "no warm stacks in the <env> pool" when empty.
// Pure.
std::string format_pool_status(const std::vector<PoolStack>& stacks, const std::string& environment,
                               std::chrono::system_clock::time_point now);

}  // namespace orchestrate
