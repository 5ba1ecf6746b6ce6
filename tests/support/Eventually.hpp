#pragma once

#include "core/Quantities.hpp"

#include <chrono>
#include <thread>

namespace orchestrate {

// Checks `condition` every `poll` until it holds or `timeout` passes; returns whether it held.
// For tests that wait on another process or the engine, where the bound is the feature.
template <typename Condition>
bool eventually(Condition condition, Milliseconds timeout, Milliseconds poll = Milliseconds(50))
{
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(poll);
  }
  return true;
}

}  // namespace orchestrate
