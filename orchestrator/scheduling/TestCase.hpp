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
};

using TestBatch = std::vector<TestCase>;

}  // namespace orchestrate
