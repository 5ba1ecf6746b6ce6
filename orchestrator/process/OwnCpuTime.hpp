#pragma once

#include "core/Quantities.hpp"

namespace orchestrate {

// The CPU time this process has used so far, user + system, over all its threads; not its
// children's (pytest, docker compose). What orchestrate itself costs. Never throws (0 if the
// kernel does not say).
Milliseconds own_cpu_time();

}  // namespace orchestrate
