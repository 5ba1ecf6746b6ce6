#include "run/RunCommand.hpp"

#include "docker/ComposeStack.hpp"
#include "docker/EngineEndpoint.hpp"
#include "docker/ProjectName.hpp"
#include "docker/ResourceLabels.hpp"
#include "process/EnvironmentVariables.hpp"
#include "process/SignalState.hpp"
#include "reporting/ColorChoice.hpp"
#include "reporting/ProgressReporter.hpp"
#include "reporting/RunEventsFanOut.hpp"
#include "reporting/RunRecorder.hpp"
#include "run/CollectOnly.hpp"
#include "run/EmptyShare.hpp"
#include "run/PrewarmedShardFactory.hpp"
#include "run/RepeatingShardFactory.hpp"
#include "run/RunConfiguration.hpp"
#include "run/RunEngines.hpp"
#include "run/RunFolders.hpp"
#include "run/RunReportWriter.hpp"
#include "run/ShardCountChoice.hpp"
#include "run/ShardSettings.hpp"
#include "run/StackInfrastructure.hpp"
#include "run/StackShardSession.hpp"
#include "run/WorkerCollection.hpp"
#include "scheduling/Scheduler.hpp"
#include "scheduling/ShardPlan.hpp"
#include "selection/CiShard.hpp"
#include "selection/DurationStore.hpp"
#include "selection/RunSelection.hpp"

#include <algorithm>
#include <cstdio>
#include <future>
#include <optional>

namespace orchestrate {

namespace {

constexpr int k_forced_exit_signals = 3;

Milliseconds since(std::chrono::steady_clock::time_point start)
{
  return std::chrono::duration_cast<Milliseconds>(std::chrono::steady_clock::now() - start);
}

WorkQueue make_queue(const RunOptions& options, const std::vector<TestCase>& tests, int shards)
{
  if (options.distribution == Distribution::k_static) {
    return WorkQueue::make_static(plan_balanced_shards(tests, shards));
  }
  return WorkQueue::make_dynamic(tests, shards);
}

// Waits for the scheduler while watching for a third Ctrl-C, which means "get out now": remove
// everything of this run through the API at once and exit, without waiting for the shards.
ScheduleResult wait_for_shards(std::future<ScheduleResult>& scheduled, RunEngines& engines,
                               const std::string& run_id)
{
  while (scheduled.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    if (interrupt_count() >= k_forced_exit_signals) {
      std::fprintf(stderr, "\nthird interrupt: removing everything of run %s now\n",
                   run_id.c_str());
      std::vector<std::string> failures;
      for (DockerEngine* engine : engines.all()) {
        remove_labelled_resources(*engine, {label_filter(labels::k_run, run_id)}, failures);
      }
      std::fflush(nullptr);
      std::_Exit(to_int(ExitCode::k_interrupted));
    }
  }
  return scheduled.get();
}

// Runs `tests` on `shard_count` shards of `factory` (with --repeat, a batch runs again as long as
// the plan wants, counted in `repeats`) and waits for every shard to close.
ScheduleResult schedule_shards(std::vector<TestCase> tests, int shard_count,
                               const RunOptions& options, ShardSessionFactory& factory,
                               RepeatTally& repeats, RunEvents& events, RunEngines& engines,
                               const std::string& run_id)
{
  std::optional<RepeatingShardFactory> repeating;
  if (options.repeat) {
    expect_repeats(tests, *options.repeat);
    repeating.emplace(factory, *options.repeat, repeats);
  }
  ShardSessionFactory& shard_factory =
    repeating ? static_cast<ShardSessionFactory&>(*repeating) : factory;
  auto queue = make_queue(options, tests, shard_count);
  const SchedulerOptions scheduler_options{shard_count, options.max_failures, options.reruns};
  auto scheduled = std::async(std::launch::async, [&] {
    return run_shards(queue, shard_factory, scheduler_options, events);
  });
  return wait_for_shards(scheduled, engines, run_id);
}

// How many shards open before the tests are collected and selected. Opening one early lets its
// stack come up (and its pytest worker import and collect) meanwhile. When the suite's last run
// selected at least `parallel` tests and nothing narrows this run's selection, every shard will be
// needed: all open early, so their stacks start together instead of after the collection. Else
// only the first (a stack nobody needs costs a second of CPU).
int shards_to_open_early(const RunOptions& options, const std::string& suite, int parallel,
                         const DurationStore& durations, bool worth_opening)
{
  if (!worth_opening) {
    return 0;
  }
  const bool narrowed = !options.keyword_expression.empty() || options.last_failed ||
                        !options.test_selectors.empty() || options.ci_shard.has_value() ||
                        !options.marker_expression.empty();
  const auto history = durations.stack_history(suite);
  if (!narrowed && history && history->tests >= parallel) {
    return parallel;
  }
  return 1;
}

// The exit code of a run left with no test to run, after saying so: a CI matrix wider than the
// suite is no failure (its empty reports keep `merge` working); nothing selected is exit 5.
std::optional<ExitCode> end_without_tests(const Selection& selection, int deselected,
                                          const RunOptions& options, const std::string& suite,
                                          ProgressReporter& reporter,
                                          std::chrono::steady_clock::time_point started)
{
  if (selection.empty_share()) {
    reporter.message(
      empty_share_message(*selection.shard, selection.before_shard, selection.fingerprint));
    return write_empty_share_reports({suite, options.environment, options.junit_xml,
                                      options.report_json, deselected, since(started)});
  }
  if (selection.tests.empty()) {
    SummaryCounts counts;
    counts.deselected = deselected;
    reporter.summary(counts, since(started));
    return ExitCode::k_no_tests_collected;
  }
  return std::nullopt;
}

}  // namespace

ExitCode run_suite(const RunOptions& options)
{
  if (options.collect_only) {
    return collect_only(options);
  }
  const auto started = std::chrono::steady_clock::now();
  const auto config = load_run_configuration(options);
  const auto& suite = config.setup.suite;
  // orchestrate.yaml's `engines` (or --engine's), else the one the docker CLI would use.
  RunEngines engines(
    select_engine_endpoints(config.project, options.engines, current_environment()));
  ProgressReporter reporter(stdout, options.verbosity, should_color(options.color, stdout),
                            resolve_progress_style(options.progress, stdout, options.verbosity));
  // What happens to the shards is recorded for the report and shown, through one sink.
  RunRecorder recorder(started);
  RunEventsFanOut events{&recorder, &reporter};

  // Preflight and the environment's lock now; the sweep, the compose model and lint, admission,
  // the monitor and the reaper below: only a suite with services needs any of them.
  std::optional<StackInfrastructure> stacks;
  if (!config.fixtures.empty()) {
    stacks.emplace(engines, config.project, config.fixtures,
                   stack_infrastructure_options(config, options), events);
  }
  const auto run_id = new_run_id();
  // Marked in use while the run goes; older folders beyond keep_runs are pruned.
  const auto run_folder =
    RunFolder::create(config.project.state_dir / "runs", run_id, config.project.keep_runs);
  const auto& run_dir = run_folder.path();
  if (stacks) {
    stacks->sweep_dead_runs();
  }

  // Collecting needs no stack and a stack needs no test list: the first shard's stack comes up
  // while the tests are collected, by that shard's pytest worker (WorkerCollection) or by the
  // runner's central collection.
  auto runner = make_test_runner(config.project, suite, run_dir);
  const bool collect_in_worker = suite.runner == "pytest";
  std::future<std::vector<std::string>> collecting;
  if (!collect_in_worker) {
    collecting = std::async(std::launch::async, [&runner] { return runner->collect(); });
  }
  std::optional<WorkerCollection> worker_collection;
  if (collect_in_worker) {
    worker_collection.emplace(suite.name);
  }
  if (stacks) {
    stacks->prepare(run_id, run_dir);
  }
  const auto settings =
    make_shard_settings(config.project, suite, options, config.parallel, config.fixtures, run_id,
                        run_dir);
  // Known once the tests are selected; shard 1 may open before that, and reads it only later.
  std::promise<int> shard_count_known;
  const ShardServices services{*runner, events,
                               stacks ? &stacks->stack_provider() : nullptr,
                               worker_collection ? &*worker_collection : nullptr,
                               shard_count_known.get_future().share()};
  StackShardSessionFactory stack_factory(settings, services);
  const auto durations_file = config.project.state_dir / "durations.json";
  auto durations = DurationStore::load(durations_file);
  PrewarmedShardFactory factory(
    stack_factory,
    shards_to_open_early(options, suite.name, config.parallel_auto ? 1 : config.parallel, durations,
                         !config.fixtures.empty() || collect_in_worker));

  std::optional<std::vector<std::string>> from_worker;
  if (worker_collection) {
    from_worker = worker_collection->wait();
  }
  const auto collected = from_worker         ? std::move(*from_worker)
                         : collecting.valid() ? collecting.get()
                                              : runner->collect();
  if (stacks) {
    stacks->require_late_checks();
  }
  const auto selection =
    select_tests(collected, config.setup.selection, durations, process_environment(),
                 [&](const std::string& line) { reporter.message(line); });
  const int deselected = static_cast<int>(collected.size() - selection.tests.size());
  if (const auto exit_code =
        end_without_tests(selection, deselected, options, suite.name, reporter, started)) {
    return *exit_code;
  }
  int shard_count = std::min(config.parallel, static_cast<int>(selection.tests.size()));
  if (config.parallel_auto) {
    const auto choice = choose_shard_count(shard_count_inputs(
      selection.tests, durations, suite.name, stacks ? stacks->admission() : nullptr));
    reporter.message(choice.explanation);
    shard_count = choice.shards;
  }
  shard_count_known.set_value(shard_count);
  if (stacks) {
    stacks->say_if_budget_caps(shard_count);
  }

  reporter.start(suite.name, static_cast<int>(collected.size()), deselected, shard_count,
                 run_dir.string());
  RepeatTally repeat_tally;
  const auto scheduled = schedule_shards(selection.tests, shard_count, options, factory,
                                         repeat_tally, events, engines, run_id);

  RunReportWriter report(options, {run_id, suite.name, options.environment, run_dir, started},
                         reporter, recorder);
  return report.finish(scheduled, static_cast<int>(selection.tests.size()), deselected,
                       durations, durations_file, stacks ? &*stacks : nullptr, repeat_tally);
}

}  // namespace orchestrate
