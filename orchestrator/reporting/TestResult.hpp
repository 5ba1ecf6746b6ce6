#pragma once

#include "core/Quantities.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orchestrate {

enum class Outcome {
  k_passed,
  k_failed,
  k_error,    // the runner reported an error outside the test body (setup/teardown), or a crash
  k_skipped,
  k_xfailed,
  k_xpassed,
};

// The result of one test, as the runner reported it (from its JUnit XML) plus what the orchestrator
// knows (shard, attempts).
struct TestResult
{
  std::string id;            // the runner's test id, e.g. pytest's node id `tests/a.py::test_x`
  std::string classname;     // JUnit classname
  std::string name;          // JUnit name
  Outcome outcome = Outcome::k_passed;
  Milliseconds duration{0};
  std::string message;       // failure or skip message, one line
  std::string details;       // failure text / captured output
  int shard = 0;             // 1-based shard index that ran it; 0 if unknown
  std::string engine;        // the engine of that shard's stack (docs/scale-out.md); "" unknown
  int attempts = 1;          // > 1 when --reruns retried it
  bool flaky = false;        // failed, then passed on a retry
};

// Counts for pytest's closing summary line.
struct SummaryCounts
{
  int failed = 0;
  int passed = 0;
  int skipped = 0;
  int deselected = 0;
  int xfailed = 0;
  int xpassed = 0;
  int errors = 0;
  int flaky = 0;
  int reruns = 0;
  int not_run = 0;  // left undispatched by -x / --maxfail / an interrupt

  bool operator==(const SummaryCounts&) const = default;
};

// Counts the results by outcome. A flaky result counts as passed and also in `flaky`; `reruns` is
// the sum of (attempts - 1). `deselected` and `not_run` stay 0: results do not know them, the
// caller fills them in.
SummaryCounts count_outcomes(const std::vector<TestResult>& results);

// The error result of a test that could not run: message "not run: <first line of reason>",
// details "not run: <reason>".
TestResult not_run_result(const std::string& id, const std::string& reason);

// The outcome as pytest's summary names it: "passed", "failed", "error", "skipped", "xfailed",
// "xpassed".
std::string_view outcome_name(Outcome outcome);

// The inverse of outcome_name; nullopt for any other text.
std::optional<Outcome> parse_outcome(std::string_view name);

}  // namespace orchestrate
