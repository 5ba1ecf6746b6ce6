#pragma once

#include "runners/PytestProgressPlugin.hpp"
#include "runners/TestRunner.hpp"

#include <mutex>
#include <optional>

namespace orchestrate {

// Runs pytest with the project's interpreter (Debian's /usr/bin/python3 by default), from the
// project root with `--rootdir` there, so node ids are stable paths relative to the root. The
// suite's `args` go to collection and to every run.
//
// Collection: `pytest --collect-only -q`. Batches: pytest with explicit node ids, `--junitxml`,
// `-s` and orchestrate's progress plugin (PytestProgressPlugin.hpp), polled every 50 ms:
//   - a test running longer than `per_test_timeout` has its process group stopped and is failed
//     with "timeout after Ns" and its output so far;
//   - a pytest process that ends in the middle of a test (a signal, os._exit) fails that test with
//     "crashed: killed by signal 11 (SIGSEGV)" or "crashed: pytest exited with code 3 during this
//     test";
//   after either, the batch's tests without a result run in a new pytest process (each restart
//   follows a result, so it always makes progress).
//   - on an interrupt or stop (should_stop_children()) the group is stopped and unfinished tests
//     get an error "interrupted".
// The timeout bounds tests only (from their setup to their teardown), not pytest's start-up and
// collection.
// Results come from the JUnit XML when pytest wrote it (a complete run), else from the progress
// file. `-s` is used so that output reaches the shard log as it is written, which is what lets a
// killed test keep its output; a failed test's details get its output (the log between its start
// and its last result) appended. Suite args that turn capturing back on win, at the cost of that
// output.
//
// run_batch may be called from several shard threads at once.
class PytestRunner : public TestRunner
{
public:
  // `scratch_dir`: where its temporary files go (the plugin); empty: the system temp dir.
  PytestRunner(const ProjectConfig& project, const SuiteConfig& suite,
               std::filesystem::path scratch_dir = {});

  std::vector<std::string> collect() override;
  BatchOutcome run_batch(const BatchRequest& request) override;

private:
  struct ProcessRun;

  std::vector<std::string> base_command() const;
  // The plugin's directory, written on first use. Throws InternalError if it cannot be written.
  std::filesystem::path plugin_directory();
  // Runs one pytest process over `ids` (attempt numbers its files in the work dir).
  ProcessRun run_process(const std::vector<std::string>& ids, const BatchRequest& request,
                         int attempt);

  const ProjectConfig& m_project;
  const SuiteConfig& m_suite;
  std::filesystem::path m_scratch_dir;
  std::mutex m_plugin_mutex;
  std::optional<PytestPluginDirectory> m_plugin;
};

// What the plugin said pytest was collecting last (a module's node id, `suites/x/test_y.py`), or
// empty when it wrote nothing (start-up, conftest imports before the first collector).
std::string read_collecting(const std::filesystem::path& file);

// The node ids the plugin wrote at collection, one per line, in pytest's order. Throws
// InternalError when the file is missing (pytest exited 0 without loading the plugin).
std::vector<std::string> read_collected_ids(const std::filesystem::path& file);

}  // namespace orchestrate
