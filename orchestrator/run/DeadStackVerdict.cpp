#include "run/DeadStackVerdict.hpp"

#include <algorithm>
#include <set>

namespace orchestrate {

namespace {

bool counts_as_failure(const TestResult& result)
{
  return result.outcome == Outcome::k_failed || result.outcome == Outcome::k_error;
}

void name_the_death(TestResult& result, const ServiceDeath& death)
{
  const std::string note = death.service + " " + death.how + " during this test";
  result.message = note + (result.message.empty() ? "" : ": " + result.message);
  result.details = "orchestrate: " + note + "\n\n" + result.details;
}

}  // namespace

std::vector<std::string> apply_service_deaths(const std::vector<TestTimes>& times,
                                              const std::vector<ServiceDeath>& deaths,
                                              std::vector<TestResult>& results)
{
  std::set<std::string> requeue;
  for (const auto& death : deaths) {
    if (!death.died_at) {
      continue;
    }
    const auto died = *death.died_at;
    for (const auto& test : times) {
      const bool running_then =
        test.started <= died && (!test.finished || *test.finished >= died);
      const bool ran_on_dead_stack = test.started > died && test.started < death.noticed_at;
      for (auto& result : results) {
        if (result.id != test.id || !counts_as_failure(result)) {
          continue;
        }
        if (running_then && requeue.count(test.id) == 0) {
          name_the_death(result, death);
        } else if (ran_on_dead_stack) {
          requeue.insert(test.id);
        }
      }
    }
  }
  results.erase(std::remove_if(results.begin(), results.end(),
                               [&](const TestResult& result) {
                                 return requeue.count(result.id) != 0;
                               }),
                results.end());
  // In the order the tests ran, for a readable log.
  std::vector<std::string> ids;
  for (const auto& test : times) {
    if (requeue.count(test.id) != 0 &&
        std::find(ids.begin(), ids.end(), test.id) == ids.end()) {
      ids.push_back(test.id);
    }
  }
  return ids;
}

}  // namespace orchestrate
