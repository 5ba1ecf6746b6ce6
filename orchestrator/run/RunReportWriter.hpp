#pragma once

#include "core/ExitCode.hpp"
#include "reporting/ProgressReporter.hpp"
#include "reporting/RunRecorder.hpp"
#include "run/RunOptions.hpp"
#include "run/StackInfrastructure.hpp"
#include "scheduling/Scheduler.hpp"
#include "selection/DurationStore.hpp"
#include "selection/RepeatPlan.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace orchestrate {

// The run the reports are about.
struct RunIdentity
{
  std::string run_id;
  std::string suite;
  std::string environment;
  std::filesystem::path run_dir;
  std::chrono::steady_clock::time_point started;
};

// The end of a run, once every shard is closed: what the user reads last, what is kept for the
// next run, and the files the run writes (JUnit, the JSON report, the run folder's record).
class RunReportWriter
{
public:
  // Nothing is owned: everything must outlive the writer.
  RunReportWriter(const RunOptions& options, RunIdentity run, ProgressReporter& reporter,
                  const RunRecorder& recorder);

  // From the scheduler's result: tests that no shard could run become errors carrying the reason
  // (unless the run was stopped or interrupted); the test and stack times and how many tests were
  // `selected` go to `durations`, saved to `durations_file` (not on a CI matrix machine); the user
  // reads the failures, the memory peaks, the --repeat and --durations summaries, an interrupt and
  // the summary line; the stacks' removal is settled (`stacks`: null without fixtures); then the
  // report files are written. Returns the run's exit code. Throws Error when a report cannot be
  // written.
  ExitCode finish(const ScheduleResult& scheduled, int selected, int deselected,
                  DurationStore& durations, const std::filesystem::path& durations_file,
                  StackInfrastructure* stacks, const RepeatTally& repeats);

private:
  // What the user reads at the end, in pytest's order: failures, notes, the summary line.
  void show_end(const std::vector<TestResult>& results, const SummaryCounts& counts,
                const std::vector<ShardTiming>& shards, const StackInfrastructure* stacks,
                std::uint64_t peak_total, bool interrupted, const RepeatTally& repeats,
                Milliseconds elapsed);
  // JUnit and the JSON report when asked for, and the run's record in its folder.
  void write_reports(RunReport report);

  const RunOptions& m_options;
  RunIdentity m_run;
  ProgressReporter& m_reporter;
  const RunRecorder& m_recorder;
};

}  // namespace orchestrate
