#pragma once

#include "core/ExitCode.hpp"
#include "core/Quantities.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace orchestrate {

// One row of the release validation checklist (../shared/seed/remediation-plan.md), measured.
struct ValidationRow
{
  std::string check;     // what the checklist asks
  std::string measured;  // what this machine did
  std::string target;    // the checklist's bound
  bool passed = false;
};

struct ValidationOptions
{
  std::filesystem::path project_dir = ".";
  std::string suite = "integration";  // the suite of the parallel rounds
  int parallel = 10;
  int rounds = 3;
  std::string dev_environment = "dev";
  Milliseconds ready_target{30'000};
  Milliseconds total_time_target{300'000};
  std::filesystem::path report_json;  // empty: <state_dir>/validate.json
};

struct ValidationReport
{
  std::vector<ValidationRow> rows;
  bool passed() const;
};

// Runs the checklist on the project's bundled suites against real services: brings the dev
// environment up (unless it already is), runs `suite` with `parallel` shards `rounds` times and
// every other suite once, checking after each run that nothing of it is left in Docker, that the
// dev stack still serves, and measuring readiness, peak memory and time; takes the dev
// environment down again if it started it. Writes the rows as JSON. Throws Error for usage and
// environment errors (no engine, bad configuration).
ValidationReport run_release_validation(const ValidationOptions& options);

// The rows as an aligned table with PASS/FAIL, for people.
std::string format_validation_table(const ValidationReport& report);

}  // namespace orchestrate
