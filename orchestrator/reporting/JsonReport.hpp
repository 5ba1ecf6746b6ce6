#pragma once

#include "core/ExitCode.hpp"
#include "core/Quantities.hpp"
#include "reporting/TestResult.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace orchestrate {

// What one shard did, with the time of each phase. `error` says why the shard failed outside its
// tests (stack did not come up, runner crashed); empty otherwise.
struct ShardTiming
{
  int shard = 0;                  // 1-based
  std::string project;            // compose project name of its stack
  Milliseconds stack_up{0};       // `compose up` until the containers exist
  Milliseconds ready{0};          // until every fixture passed its readiness gate
  Milliseconds tests{0};          // running its tests
  Milliseconds teardown{0};       // `compose down` and verification
  std::uint64_t peak_memory_bytes = 0;
  int tests_run = 0;
  int stack_recreations = 0;     // stacks brought up again after turning unhealthy
  // When the shard's last test ended, from the start of the run (0: it ran none). The spread of
  // these over the shards is how evenly the work was balanced: the slowest shard sets the end.
  Milliseconds tests_ended{0};
  std::string error;
  std::string engine;            // the engine its stack ran on (last, if it moved); "" unknown
  bool warm_stack = false;        // --reuse: its stack was claimed warm from the pool
  Milliseconds reset{0};          // --reuse: resetting that warm stack's services at the claim
                                  // (0 when the run that returned it had reset it)
  bool warm_worker = false;       // --reuse: its first pytest worker was adopted warm
  Milliseconds reset_for_next_run{0};  // --reuse: resetting its stack when returning it
};

// The machine-readable report of one run (`--report-json`).
struct RunReport
{
  std::string run_id;
  std::string suite;
  std::string environment;
  ExitCode exit_code = ExitCode::k_all_passed;
  Milliseconds wall_time{0};
  Milliseconds time_to_first_test{0};
  Milliseconds time_to_first_up{0};  // start-up overhead: from the start until the first `up`
  std::uint64_t peak_memory_bytes = 0;
  // The orchestrate process's own CPU time (user + sys; not pytest's or compose's), to compare
  // with wall_time: what the orchestrator itself costs.
  Milliseconds orchestrator_cpu{0};
  SummaryCounts counts;
  std::vector<ShardTiming> shards;
  std::vector<TestResult> tests;
};

// Writes the report as JSON (times in seconds, outcomes as pytest names them), creating the parent
// directory if needed. Per test it keeps id, outcome, duration, shard, attempts, flaky, message;
// classname, name and details are left out. Throws InternalError when the file cannot be written.
void write_json_report(const std::filesystem::path& file, const RunReport& report);

// Reads a report written by write_json_report. Throws InternalError naming the file, and the key
// where possible, when the file is missing, not JSON, or a key is missing or of the wrong type.
RunReport read_json_report(const std::filesystem::path& file);

}  // namespace orchestrate
