#pragma once

#include "core/Quantities.hpp"
#include "reporting/ColorChoice.hpp"
#include "reporting/ProgressReporter.hpp"
#include "selection/RepeatPlan.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

enum class Distribution { k_dynamic, k_static };

// Everything `orchestrate run` was asked to do, as plain values (main fills it from the command
// line; Program_options types never leave main). Unset optionals take orchestrate.yaml's defaults.
struct RunOptions
{
  std::filesystem::path project_dir = ".";
  std::string suite;
  std::string environment = "test";
  std::optional<int> parallel;
  bool parallel_auto = false;  // --parallel auto: choose_shard_count decides (ShardCountChoice)
  Distribution distribution = Distribution::k_dynamic;
  int max_failures = 0;  // -x is 1; 0: no limit
  int reruns = 0;        // retries of a failed test; passing on a retry is reported flaky
  std::optional<Milliseconds> test_timeout;  // per test; overrides suite and project defaults
  bool keep_on_failure = false;  // leave a failing shard's stack up for inspection
  std::optional<Milliseconds> readiness_timeout;
  std::optional<Milliseconds> lock_timeout;
  std::optional<std::uint64_t> memory_budget_bytes;  // concurrent stacks' memory limits, summed
  std::uint64_t memory_floor_bytes = 256ull << 20;   // pause new stacks below this MemAvailable
  std::optional<int> start_slots;  // --start-slots: stacks starting at once per engine; 0: unlimited
  std::vector<std::string> engines;  // --engine: only these of orchestrate.yaml's; empty: all
  std::string keyword_expression;     // -k, pytest's semantics, for every runner
  bool last_failed = false;           // --lf: only the tests that failed last time
  std::optional<std::string> ci_shard;  // --shard I/N or "ci" (from CI_NODE_INDEX/TOTAL)
  std::filesystem::path junit_xml;    // empty: none
  std::filesystem::path report_json;  // empty: none
  std::filesystem::path trace_file;   // --trace: Chrome trace events; empty: none
  std::filesystem::path html_report;  // --html: the self-contained page; empty: none
  Verbosity verbosity = Verbosity::k_normal;
  ProgressStyle progress = ProgressStyle::k_auto;  // --progress: live block, lines, or by stdout

  // Selection and output a pytest user types (docs/selection.md, README "If you know pytest").
  std::vector<std::string> test_selectors;  // positional ids and paths, relative to the cwd;
                                            // without `suite` they pick the suite
  std::string marker_expression;            // -m, passed to pytest's collection
  bool collect_only = false;                // --co: print the selected ids, run nothing
  std::optional<int> durations;             // --durations N: slowest N (0: all) and shard times
  ColorChoice color = ColorChoice::k_auto;  // --color, with NO_COLOR / FORCE_COLOR
  std::optional<RepeatPlan> repeat;         // --repeat N | until-fail:N | until-pass:N

  // Warm stacks (docs/warm-stacks.md); unset: the suite's `reuse`, then orchestrate.yaml's.
  std::optional<bool> reuse;                // --reuse / --no-reuse
  std::optional<Milliseconds> reuse_ttl;    // --reuse-ttl: idle deadline of returned stacks
};

}  // namespace orchestrate
