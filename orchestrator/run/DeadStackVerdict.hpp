#pragma once

#include "reporting/TestResult.hpp"
#include "run/ServiceDeath.hpp"

#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// When a test of a batch started and, if it did, ended (this host's clock).
struct TestTimes
{
  std::string id;
  WallClock::time_point started;
  std::optional<WallClock::time_point> finished;
};

// Who is charged when a fixture's service died during a batch. Only the test that was running when
// it died may fail for it (that test may well be what killed it): its failure gets the death
// prepended ("test-redis exited with code 0 during this test: ..."). A test that started after
// the death and before the shard noticed it ran against a dead stack: its failure says nothing
// about the test, so it is taken out of `results` and its id returned, to run again once the
// stack is recreated. Passing tests keep their result (they did not need the service). Deaths
// without a known time (a container removed, an unhealthy one) change nothing.
std::vector<std::string> apply_service_deaths(const std::vector<TestTimes>& times,
                                              const std::vector<ServiceDeath>& deaths,
                                              std::vector<TestResult>& results);

}  // namespace orchestrate
