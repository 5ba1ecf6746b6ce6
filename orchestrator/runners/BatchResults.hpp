#pragma once

#include "reporting/TestResult.hpp"
#include "runners/TestRunner.hpp"

#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace orchestrate {

// A batch's results across the processes a runner starts for it: after a crash or timeout the
// runner starts another process for the tests still without a result. Keeps each test's first
// result and which tests are still pending, for every runner that restarts.
class BatchResults
{
public:
  explicit BatchResults(const BatchRequest& request);

  // Keeps the results of requested tests that had none yet; returns how many were new.
  std::size_t add(std::vector<TestResult> results);

  // The requested tests without a result, in the requested order.
  const std::vector<std::string>& pending() const
  {
    return m_pending;
  }
  bool has_result(const std::string& id) const;

  // The results kept so far; every requested test without one gets an error result saying
  // `cause`, so that a crash never makes a test disappear from the report.
  std::vector<TestResult> finish(const std::string& cause) &&;

private:
  std::vector<std::string> m_requested;
  std::vector<std::string> m_pending;
  std::set<std::string> m_reported;
  std::vector<TestResult> m_results;
};

// Before a new process takes over the batch's pending tests: says why in the shard log (`what`
// happened to the last process) and lets the shard check its stack (BatchRequest::before_restart),
// which may point `current.environment` at a recreated one.
void prepare_restart(const std::string& what, std::size_t pending, BatchRequest& current);

}  // namespace orchestrate
