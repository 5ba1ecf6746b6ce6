#include "run/RunCommand.hpp"

#include "config/ConfigLoader.hpp"
#include "core/Error.hpp"
#include "docker/ComposeStack.hpp"
#include "docker/ProjectName.hpp"
#include "docker/ResourceLabels.hpp"
#include "environments/EnvironmentLookup.hpp"
#include "locking/OwnerIdentity.hpp"
#include "process/EnvironmentVariables.hpp"
#include "process/SignalState.hpp"
#include "reporting/ColorChoice.hpp"
#include "reporting/DurationsReport.hpp"
#include "reporting/JunitXml.hpp"
#include "reporting/JsonReport.hpp"
#include "reporting/ProgressReporter.hpp"
#include "reporting/RunEventsFanOut.hpp"
#include "reporting/RunRecorder.hpp"
#include "reporting/RunViews.hpp"
#include "run/CollectOnly.hpp"
#include "run/EmptyShare.hpp"
#include "run/OutputPaths.hpp"
#include "run/PrewarmedShardFactory.hpp"
#include "run/RepeatingShardFactory.hpp"
#include "run/RunSelectionSetup.hpp"
#include "run/ShardSettings.hpp"
#include "run/RunRemoval.hpp"
#include "run/RunFolders.hpp"
#include "run/StackInfrastructure.hpp"
#include "run/StackShardSession.hpp"
#include "scheduling/Scheduler.hpp"
#include "scheduling/ShardPlan.hpp"
#include "selection/CiShard.hpp"
#include "selection/DurationStore.hpp"
#include "selection/RunSelection.hpp"

#include <algorithm>
#include <future>
#include <optional>
#include <spdlog/spdlog.h>
#include <thread>

namespace orchestrate {

namespace {

constexpr int k_max_batch_size = 500;  // bounds the runner's argv
// Each batch pays one runner start-up (pytest importing its plugins and the test modules: about
// half a second of CPU); a batch should carry several seconds of tests to be worth it.
constexpr Milliseconds k_min_batch_time(4000);
constexpr int k_forced_exit_signals = 3;

Milliseconds since(std::chrono::steady_clock::time_point start)
{
  return std::chrono::duration_cast<Milliseconds>(std::chrono::steady_clock::now() - start);
}

std::vector<FixtureConfig> load_fixtures(const ProjectConfig& project, const SuiteConfig& suite)
{
  std::vector<FixtureConfig> fixtures;
  for (const auto& name : suite.fixtures) {
    fixtures.push_back(load_fixture_config(project, name));
  }
  return fixtures;
}

WorkQueue make_queue(const RunOptions& options, const std::vector<TestCase>& tests, int shards)
{
  if (options.distribution == Distribution::k_static) {
    return WorkQueue::make_static(plan_balanced_shards(tests, shards));
  }
  return WorkQueue::make_dynamic(tests, shards, k_max_batch_size, k_min_batch_time);
}

// Waits for the scheduler while watching for a third Ctrl-C, which means "get out now": remove
// everything of this run through the API at once and exit, without waiting for the shards.
ScheduleResult wait_for_shards(std::future<ScheduleResult>& scheduled, DockerEngine& engine,
                               const std::string& run_id)
{
  while (scheduled.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    if (interrupt_count() >= k_forced_exit_signals) {
      std::fprintf(stderr, "\nthird interrupt: removing everything of run %s now\n",
                   run_id.c_str());
      std::vector<std::string> failures;
      remove_labelled_resources(engine, {label_filter(labels::k_run, run_id)}, failures);
      std::fflush(nullptr);
      std::_Exit(to_int(ExitCode::k_interrupted));
    }
  }
  return scheduled.get();
}

void add_unrunnable_results(const std::vector<TestCase>& not_run,
                            const std::vector<ShardError>& shard_errors,
                            std::vector<TestResult>& results)
{
  const std::string reason =
    shard_errors.empty() ? std::string("no shard was available to run it")
                         : "no shard's stack came up; shard " +
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
                      const std::vector<ShardTiming>& shards)
{
  durations.record(results);
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

ExitCode run_suite(const RunOptions& options)
{
  if (options.collect_only) {
    return collect_only(options);
  }
  const auto started = std::chrono::steady_clock::now();
  const auto project = load_project_config(std::filesystem::absolute(options.project_dir));
  const auto setup = prepare_run_selection(project, options);
  const auto& suite = setup.suite;
  const auto fixtures = load_fixtures(project, suite);
  find_environment(project, options.environment);  // an unknown one is exit 4 before anything
  const int parallel = options.parallel.value_or(project.defaults.parallel);
  if (parallel < 1) {
    throw UsageError("--parallel must be at least 1");
  }
  check_output_paths(project, options);

  const auto memory_budget = options.memory_budget_bytes.value_or(project.memory_budget_bytes);
  DockerEngine engine;
  ProgressReporter reporter(stdout, options.verbosity, should_color(options.color, stdout),
                            resolve_progress_style(options.progress, stdout, options.verbosity));
  // What happens to the shards is recorded for the report and shown, through one sink.
  RunRecorder recorder(started);
  RunEventsFanOut events{&recorder, &reporter};

  // Preflight and the environment's lock, then (below) the sweep, the compose model and lint,
  // admission, the monitor and the reaper: only a suite with services needs any of them.
  std::optional<StackInfrastructure> stacks;
  if (!fixtures.empty()) {
    StackInfrastructureOptions infrastructure;
    infrastructure.environment = options.environment;
    infrastructure.lock_timeout = options.lock_timeout.value_or(project.defaults.lock_timeout);
    infrastructure.memory_budget_bytes = memory_budget;
    infrastructure.memory_floor_bytes = options.memory_floor_bytes;
    infrastructure.parallel = parallel;
    infrastructure.keep_on_failure = options.keep_on_failure;
    stacks.emplace(engine, project, fixtures, infrastructure, events);
  }

  const auto run_id = new_run_id();
  // Marked in use while the run goes; older folders beyond keep_runs are pruned.
  const auto run_folder = RunFolder::create(project.state_dir / "runs", run_id, project.keep_runs);
  const auto& run_dir = run_folder.path();
  if (stacks) {
    stacks->sweep_dead_runs();
  }

  auto runner = make_test_runner(project, suite, run_dir);
  // Collecting needs no stack and a stack needs no test list: the first shard's stack comes up
  // while the tests are collected.
  auto collecting = std::async(std::launch::async, [&runner] { return runner->collect(); });

  if (stacks) {
    stacks->prepare(run_id, run_dir);
  }
  const auto settings = make_shard_settings(project, suite, options, fixtures, run_id, run_dir,
                                            stacks ? stacks->model() : ComposeModel{});
  // Known once the tests are selected; shard 1 may open before that, and reads it only later.
  std::promise<int> shard_count_known;
  const ShardServices services{*runner, engine, events, stacks ? &stacks->admission() : nullptr,
                               shard_count_known.get_future().share()};
  StackShardSessionFactory stack_factory(settings, services);
  // Only the first shard opens before the tests are known: how many shards a run has depends on
  // how many tests are selected, and a stack nobody needs costs a second of CPU.
  PrewarmedShardFactory factory(stack_factory, fixtures.empty() ? 0 : 1);

  const auto collected = collecting.get();
  if (stacks) {
    stacks->require_late_checks();
  }
  const auto durations_file = project.state_dir / "durations.json";
  auto durations = DurationStore::load(durations_file);
  auto selection = select_tests(collected, setup.selection, durations, process_environment(),
                                [&](const std::string& line) { reporter.message(line); });
  auto& tests = selection.tests;
  const int deselected = static_cast<int>(collected.size() - tests.size());
  if (selection.empty_share()) {
    // Not a failure: a CI matrix wider than the suite. Its empty reports keep `merge` working.
    reporter.message(
      empty_share_message(*selection.shard, selection.before_shard, selection.fingerprint));
    return write_empty_share_reports({suite.name, options.environment, options.junit_xml,
                                      options.report_json, deselected, since(started)});
  }
  if (tests.empty()) {
    SummaryCounts counts;
    counts.deselected = deselected;
    reporter.summary(counts, since(started));
    return ExitCode::k_no_tests_collected;
  }
  const int shard_count = std::min(parallel, static_cast<int>(tests.size()));
  shard_count_known.set_value(shard_count);
  if (stacks && stacks->admission().max_concurrent_stacks() < shard_count) {
    reporter.message(stacks->admission().capped_message());
  }

  reporter.start(suite.name, static_cast<int>(collected.size()), deselected, shard_count,
                 run_dir.string());
  RepeatTally repeat_tally;
  std::optional<RepeatingShardFactory> repeating;
  if (options.repeat) {
    expect_repeats(tests, *options.repeat);
    repeating.emplace(factory, *options.repeat, repeat_tally);
  }
  ShardSessionFactory& shard_factory =
    repeating ? static_cast<ShardSessionFactory&>(*repeating) : factory;
  auto queue = make_queue(options, tests, shard_count);
  SchedulerOptions scheduler_options{shard_count, options.max_failures, options.reruns};

  auto scheduled_future = std::async(std::launch::async, [&] {
    return run_shards(queue, shard_factory, scheduler_options, events);
  });
  const auto scheduled = wait_for_shards(scheduled_future, engine, run_id);

  auto results = scheduled.results;
  auto not_run = scheduled.not_run;
  if (!scheduled.interrupted && !scheduled.stopped_early) {
    // Work left although nobody stopped dispatch: every shard that could take it failed. Like a
    // pytest fixture error, each such test is an error carrying the reason.
    add_unrunnable_results(not_run, scheduled.shard_errors, results);
    not_run.clear();
  }
  auto counts = count_outcomes(results);
  counts.not_run = static_cast<int>(not_run.size());
  counts.deselected = deselected;
  if (!options.ci_shard) {
    // A CI matrix machine keeps the durations file as it was: every machine must plan its share
    // from the same durations, or two of them could disagree on who runs which test.
    record_durations(durations, durations_file, suite.name, results, recorder.shard_timings());
  }
  const auto elapsed = since(started);
  reporter.failures(results);
  std::uint64_t peak_total = 0;
  auto shard_timings = recorder.shard_timings();
  if (stacks) {
    peak_total = stacks->monitor().peak_total();
    for (auto& shard : shard_timings) {
      shard.peak_memory_bytes = stacks->monitor().peak_for_shard(shard.shard);
    }
    reporter.message("peak memory of the test stacks: " + format_bytes(peak_total) +
                     " (budget " + format_bytes(memory_budget) + ")");
  }
  if (options.repeat) {
    reporter.message(format_repeat_summary(*options.repeat, repeat_tally.counts(),
                                           options.verbosity == Verbosity::k_verbose));
  }
  if (options.durations) {
    reporter.message(format_durations_report(results, shard_timings, *options.durations));
  }
  if (scheduled.interrupted) {
    reporter.interrupted(describe_interrupt() + "; " + std::to_string(counts.not_run) + " " +
                         (counts.not_run == 1 ? "test" : "tests") + " not run");
  }
  reporter.summary(counts, elapsed);
  auto exit_code = exit_code_for(scheduled, counts);
  if (stacks) {
    exit_code = stacks->settle(exit_code, shard_timings);
  }

  if (!options.junit_xml.empty()) {
    write_junit_xml(options.junit_xml, results, elapsed);
  }
  RunReport report;
  report.run_id = run_id;
  report.suite = suite.name;
  report.environment = options.environment;
  report.exit_code = exit_code;
  report.wall_time = elapsed;
  report.time_to_first_test = recorder.time_to_first_test().value_or(Milliseconds(0));
  report.time_to_first_up = recorder.time_to_first_up().value_or(Milliseconds(0));
  report.counts = counts;
  report.peak_memory_bytes = peak_total;
  report.shards = shard_timings;
  report.tests = results;
  if (!options.report_json.empty()) {
    write_json_report(options.report_json, report);
  }
  keep_run_record(run_dir, {report, recorder.timeline()},
                  {options.trace_file, options.html_report});
  return exit_code;
}

}  // namespace orchestrate
