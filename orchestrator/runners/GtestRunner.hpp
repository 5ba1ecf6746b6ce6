#pragma once

#include "runners/TestRunner.hpp"

namespace orchestrate {

// Runs a GoogleTest binary (the suite's `binary:`, relative to the project root) from the project
// root. The suite's `args` go to listing and to every run, before ours (gtest takes a flag's last
// value, so ours win).
//
// Collection: `<binary> --gtest_list_tests`. Batches: `--gtest_filter=A.b:C.d` and
// `--gtest_output=xml:<work_dir>/gtest.xml` (gtest-2.xml, ... for later processes of the batch),
// whose results are read back with ids `Suite.Test`, as listed. gtest writes that XML only when it
// ends normally, so the runner also follows the binary's console output in the shard log
// (GtestProgress.hpp), polled every 50 ms:
//   - a test running longer than `per_test_timeout` has its process group stopped and is failed
//     with "timeout after Ns" and its output so far;
//   - a binary that ends in the middle of a test (a segfault, an abort, an exit()) fails that test
//     with "crashed: killed by signal 6 (SIGABRT)" or "crashed: the gtest binary exited with code 3
//     during this test";
//   after either, the tests before it keep the results their console lines gave, and the batch's
//   tests without a result run in a fresh process: a crashed test is a failed test, and the shard
//   goes on. A binary that dies or hangs outside any test gives the tests without a result an
//   error naming why.
//   - on an interrupt or stop (should_stop_children()) the group is stopped and unfinished tests
//     get an error "interrupted".
// A suite arg `--gtest_brief` is countered with `--gtest_brief=0` (and GTEST_BRIEF=0 is set), since
// the progress needs the RUN lines.
//
// run_batch may be called from several shard threads at once.
class GtestRunner : public TestRunner
{
public:
  GtestRunner(const ProjectConfig& project, const SuiteConfig& suite);

  // Throws UsageError when the binary is missing or not executable (telling to build it with
  // scripts/build), or when listing fails (with its output).
  std::vector<std::string> collect() override;
  BatchOutcome run_batch(const BatchRequest& request) override;

private:
  struct ProcessRun;

  std::filesystem::path binary() const;
  // Runs one process of the binary over `ids` (attempt numbers its XML file in the work dir).
  ProcessRun run_process(const std::vector<std::string>& ids, const BatchRequest& request,
                         int attempt) const;

  const ProjectConfig& m_project;
  const SuiteConfig& m_suite;
};

// The test ids (`Suite.Test`) in the output of `--gtest_list_tests`: a suite line `Suite.` (maybe
// with `  # TypeParam = ...`) followed by indented test names (maybe with `  # GetParam() = ...`).
// Lines before the first suite (gtest_main's "Running main() from ...") are ignored. Disabled tests
// (a suite or test name starting with DISABLED_, also after a `Prefix/`) are left out unless
// `include_disabled` (the binary runs with --gtest_also_run_disabled_tests).
std::vector<std::string> parse_gtest_list_output(const std::string& output,
                                                 bool include_disabled = false);

// The --gtest_filter value that selects exactly `test_ids`: them joined with ':'.
std::string gtest_filter_for(const std::vector<std::string>& test_ids);

// Splits `test_ids` into consecutive groups whose filters stay under `max_filter_length` characters
// (one argument is limited by the kernel); a group holds at least one id.
std::vector<std::vector<std::string>> split_for_filter(const std::vector<std::string>& test_ids,
                                                       std::size_t max_filter_length);

}  // namespace orchestrate
