#pragma once

#include "core/ExitCode.hpp"
#include "reporting/JsonReport.hpp"

#include <filesystem>
#include <vector>

namespace orchestrate {

// The kinds of report `orchestrate merge` reads.
enum class ReportFormat { k_junit_xml, k_json };

// The format of a report file: by extension (.xml, .json, any case), else by its first
// non-blank character (`<` or `{`). Throws UsageError naming the file when neither tells, or it
// cannot be read.
ReportFormat report_format_of(const std::filesystem::path& file);

// Reads one report of either format. A JUnit file gives a report with its tests and, as wall
// time, the `time` of its root element (else the sum of its <testsuite> times); everything else
// stays empty (exit code 0: its tests alone decide). Throws InternalError naming the file when it
// is missing or malformed (see read_junit_xml, read_json_report), UsageError as
// report_format_of.
RunReport read_report(const std::filesystem::path& file);

// Combines the reports of several CI machines (or of a run and its reruns), taken in the order
// given as the order things happened:
// - tests: merge_results (a test id seen again is one result, the last attempt's, attempts
//   summed, flaky when it passed after failing);
// - counts: recounted from the merged tests, plus the sum of `deselected` and `not_run` (which
//   tests do not know; each report must count only its own share);
// - shards: concatenated and renumbered 1..K in order, tests' shard numbers renumbered with them,
//   so each test points at the shard that ran it;
// - wall_time and peak memory: the largest; time_to_first_test: the smallest non-zero;
// - run_id, suite, environment: the distinct non-empty values, joined by ",";
// - exit_code: see merged_exit_code.
RunReport merge_run_reports(std::vector<RunReport> reports);

// The exit code of `merged`, given its inputs' exit codes in order: the first that says a run went
// wrong (interrupted, internal, usage, environment busy, Docker unavailable); else 1 (tests
// failed) when a merged test failed or errored, a shard failed outside its tests, or tests were
// left unrun; else 5 when there are no tests at all; else 0. A test that failed on one machine
// and passed on a later rerun counts as passed (flaky), so a run that reruns failures elsewhere
// can pass.
ExitCode merged_exit_code(const std::vector<ExitCode>& input_codes, const RunReport& merged);

// read_report for each file, then merge_run_reports. Throws UsageError when no file is given, a
// file does not exist, or one is given twice (it would count as a rerun of every test), and as
// read_report.
RunReport merge_report_files(const std::vector<std::filesystem::path>& files);

}  // namespace orchestrate
