#pragma once

#include "core/Quantities.hpp"

#include <string>
#include <vector>

namespace orchestrate {

// A collected test and how long it is expected to take (recorded duration, or the average).
struct TestCase
{
  std::string id;
  Milliseconds expected{0};
  int requeues = 0;  // how often it was handed back because its stack died under it
};

using TestBatch = std::vector<TestCase>;

}  // namespace orchestrate
