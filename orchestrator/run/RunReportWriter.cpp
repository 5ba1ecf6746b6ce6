#include "run/RunReportWriter.hpp"

#include "process/OwnCpuTime.hpp"
#include "process/SignalState.hpp"
#include "reporting/DurationsReport.hpp"
#include "reporting/JunitXml.hpp"
#include "reporting/RunViews.hpp"
#include "reporting/ShardTestEnds.hpp"

#include <spdlog/spdlog.h>

namespace orchestrate {

namespace {

void add_unrunnable_results(const std::vector<TestCase>& not_run,
                            const std::vector<ShardError>& shard_errors,
                            std::vector<TestResult>& results)
{
  const std::string reason =
    shard_errors.empty() ? std::string("no shard was available to run it")
                         : "no shard could run it; shard " +
                             std::to_string(shard_errors.front().shard) + ": " +
                             shard_errors.front().message;
  for (const auto& test : not_run) {
    results.push_back(not_run_result(test.id, reason));
  }
}

// Keeps what this run learned for the next plan: test time apart from stack time. A failure to
// save is logged, never fatal.
void record_durations(DurationStore& durations, const std::filesystem::path& file,
                      const std::string& suite, const std::vector<TestResult>& results,
                      const std::vector<ShardTiming>& shards, int selected)
{
  durations.record(results);
  durations.record_suite_size(suite, selected);
  for (const auto& shard : shards) {
    durations.record_stack_time(suite, shard);
  }
  try {
    durations.save(file);
  } catch (const std::exception& error) {
    spdlog::warn("could not save test durations: {}", error.what());
  }
}

ExitCode exit_code_for(const ScheduleResult& scheduled, const SummaryCounts& counts)
{
  if (scheduled.interrupted) {
    return ExitCode::k_interrupted;
  }
  if (counts.failed > 0 || counts.errors > 0 || !scheduled.shard_errors.empty() ||
      counts.not_run > 0) {
    return ExitCode::k_tests_failed;
  }
  return ExitCode::k_all_passed;
}

}  // namespace

RunReportWriter::RunReportWriter(const RunOptions& options, RunIdentity run,
                                 ProgressReporter& reporter, const RunRecorder& recorder)
  : m_options(options),
    m_run(std::move(run)),
    m_reporter(reporter),
    m_recorder(recorder)
{
}

ExitCode RunReportWriter::finish(const ScheduleResult& scheduled, int selected, int deselected,
                                 DurationStore& durations,
                                 const std::filesystem::path& durations_file,
                                 StackInfrastructure* stacks, const RepeatTally& repeats)
{
  auto results = scheduled.results;
  auto not_run = scheduled.not_run;
  if (stacks != nullptr) {
    for (auto& result : results) {
      result.engine = stacks->engine_of(result.shard);  // its shard's (docs/scale-out.md)
    }
  }
  if (!scheduled.interrupted && !scheduled.stopped_early) {
    // Work left although nobody stopped dispatch: every shard that could take it failed. Like a
    // pytest fixture error, each such test is an error carrying the reason.
    add_unrunnable_results(not_run, scheduled.shard_errors, results);
    not_run.clear();
  }
  auto counts = count_outcomes(results);
  counts.not_run = static_cast<int>(not_run.size());
  counts.deselected = deselected;
  if (!m_options.ci_shard) {
    // A CI matrix machine keeps the durations file as it was: every machine must plan its share
    // from the same durations, or two of them could disagree on who runs which test.
    record_durations(durations, durations_file, m_run.suite, results, m_recorder.shard_timings(),
                     selected);
  }
  const auto elapsed = std::chrono::duration_cast<Milliseconds>(
    std::chrono::steady_clock::now() - m_run.started);
  std::uint64_t peak_total = 0;
  auto shards = m_recorder.shard_timings();
  if (stacks != nullptr) {
    peak_total = stacks->monitor().peak_total();
    for (auto& shard : shards) {
      shard.peak_memory_bytes = stacks->monitor().peak_for_shard(shard.shard);
      shard.engine = stacks->engine_of(shard.shard);  // settle() checks each engine for its own
    }
    stacks->note_warm_stacks(shards);  // --reuse: which stacks were warm, their reset time
  }
  show_end(results, counts, shards, stacks, peak_total, scheduled.interrupted, repeats, elapsed);
  auto exit_code = exit_code_for(scheduled, counts);
  if (stacks != nullptr) {
    exit_code = stacks->settle(exit_code, shards);
  }

  RunReport report;
  report.run_id = m_run.run_id;
  report.suite = m_run.suite;
  report.environment = m_run.environment;
  report.exit_code = exit_code;
  report.wall_time = elapsed;
  report.time_to_first_test = m_recorder.time_to_first_test().value_or(Milliseconds(0));
  report.time_to_first_up = m_recorder.time_to_first_up().value_or(Milliseconds(0));
  report.counts = counts;
  report.peak_memory_bytes = peak_total;
  report.shards = std::move(shards);
  set_tests_ended(report.shards, m_recorder.timeline());
  report.orchestrator_cpu = own_cpu_time();
  report.tests = std::move(results);
  write_reports(std::move(report));
  return exit_code;
}

void RunReportWriter::show_end(const std::vector<TestResult>& results, const SummaryCounts& counts,
                               const std::vector<ShardTiming>& shards,
                               const StackInfrastructure* stacks, std::uint64_t peak_total,
                               bool interrupted, const RepeatTally& repeats, Milliseconds elapsed)
{
  m_reporter.failures(results);
  if (stacks != nullptr) {
    m_reporter.message("peak memory of the test stacks: " + format_bytes(peak_total) +
                       " (budget " + format_bytes(stacks->memory_budget_bytes()) + ")");
  }
  if (m_options.repeat) {
    m_reporter.message(format_repeat_summary(*m_options.repeat, repeats.counts(),
                                             m_options.verbosity == Verbosity::k_verbose));
  }
  if (m_options.durations) {
    m_reporter.message(format_durations_report(results, shards, *m_options.durations));
  }
  if (interrupted) {
    m_reporter.interrupted(describe_interrupt() + "; " + std::to_string(counts.not_run) + " " +
                           (counts.not_run == 1 ? "test" : "tests") + " not run");
  }
  m_reporter.summary(counts, elapsed);
}

void RunReportWriter::write_reports(RunReport report)
{
  if (!m_options.junit_xml.empty()) {
    write_junit_xml(m_options.junit_xml, report.tests, report.wall_time);
  }
  if (!m_options.report_json.empty()) {
    write_json_report(m_options.report_json, report);
  }
  keep_run_record(m_run.run_dir, {std::move(report), m_recorder.timeline()},
                  {m_options.trace_file, m_options.html_report});
}

}  // namespace orchestrate
