#include "run/RunCommand.hpp"

#include "cleanup/Reaper.hpp"
#include "cleanup/StaleSweep.hpp"
#include "config/ConfigLoader.hpp"
#include "core/Error.hpp"
#include "docker/ComposeCli.hpp"
#include "docker/ComposeModelCache.hpp"
#include "docker/ComposeStack.hpp"
#include "docker/EngineEndpoint.hpp"
#include "docker/EngineEndpointFile.hpp"
#include "docker/FixturePorts.hpp"
#include "docker/ProjectName.hpp"
#include "docker/ResourceLabels.hpp"
#include "environments/EnvironmentLookup.hpp"
#include "locking/EnvironmentLock.hpp"
#include "locking/OwnerIdentity.hpp"
#include "policy/ComposeLint.hpp"
#include "policy/ComposeServices.hpp"
#include "policy/ProjectLintOptions.hpp"
#include "process/EnvironmentVariables.hpp"
#include "process/OwnCpuTime.hpp"
#include "process/SignalState.hpp"
#include "reporting/ColorChoice.hpp"
#include "reporting/DurationsReport.hpp"
#include "reporting/JunitXml.hpp"
#include "reporting/JsonReport.hpp"
#include "reporting/ProgressReporter.hpp"
#include "reporting/RunViews.hpp"
#include "reporting/ShardTestEnds.hpp"
#include "resources/Preflight.hpp"
#include "resources/ResourceMonitor.hpp"
#include "resources/StackAdmission.hpp"
#include "run/CollectOnly.hpp"
#include "run/EnginePlacement.hpp"
#include "run/EngineRemovals.hpp"
#include "run/RunEngines.hpp"
#include "run/EmptyShare.hpp"
#include "run/FreshStackProvider.hpp"
#include "run/OutputPaths.hpp"
#include "run/PrewarmedShardFactory.hpp"
#include "run/RepeatingShardFactory.hpp"
#include "run/RunSelectionSetup.hpp"
#include "run/RunContext.hpp"
#include "run/RunRemoval.hpp"
#include "run/RunFolders.hpp"
#include "run/ShardCountChoice.hpp"
#include "run/StackShardSession.hpp"
#include "run/WorkerCollection.hpp"
#include "scheduling/Scheduler.hpp"
#include "scheduling/ShardPlan.hpp"
#include "selection/CiShard.hpp"
#include "selection/DurationStore.hpp"
#include "selection/RunSelection.hpp"

#include <algorithm>
#include <deque>
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

// The test stacks must be safe to run N times side by side on a shared machine: limits, bounded
// tmpfs, rotated logs, no fixed ports or names. A violation is a usage error naming file:line.
void enforce_compose_policy(const ProjectConfig& project, const std::vector<FixtureConfig>& fixtures,
                            const std::vector<ComposeService>& services)
{
  const auto violations =
    lint_compose_services(services, lint_options_for_fixtures(project, fixtures));
  if (!has_errors(violations)) {
    // Rules the project's `policy` set to warn: said, and the run goes on.
    for (const auto& violation : violations) {
      std::fprintf(stderr, "%s\n", format_violation(violation).c_str());
    }
    return;
  }
  std::string message = "the test stack breaks the compose policy (see `orchestrate lint "
                        "--explain`):";
  for (const auto& violation : violations) {
    message += "\n  " + format_violation(violation);
  }
  throw UsageError(message);
}

void sweep_leftovers_of_dead_runs(DockerEngine& engine, const ProjectConfig& project,
                                  const std::string& environment, ProgressReporter& reporter)
{
  SweepOptions sweep;
  sweep.environment = environment;
  sweep.project_prefix = project.prefix;
  for (const auto& resource : sweep_stale_resources(engine, sweep)) {
    reporter.message(std::string(resource.removed ? "removed" : "could not remove") +
                     " stale " + resource.kind + " " + resource.name + " (" + resource.reason +
                     ")");
  }
}

// Judges the late preflight checks once (exit 7 on a FAIL), printing their warnings.
void require_late_checks(std::optional<LatePreflight>& late_preflight)
{
  if (!late_preflight) {
    return;
  }
  auto late = std::move(*late_preflight);
  late_preflight.reset();
  for (const auto& warning : require_late_preflight(late)) {
    std::fprintf(stderr, "warning: %s\n", warning.c_str());
  }
}

// The resolved compose model of the environment's stack, from the cache when its inputs are
// unchanged (see ComposeModelCache). On a miss `docker compose config` runs, so compose must be
// there: judged first, for a clear message when it is not.
ComposeModel load_stack_model(const ProjectConfig& project, const std::string& environment_name,
                              const std::vector<ComposeService>& services,
                              const std::string& run_id, const std::filesystem::path& run_dir,
                              std::optional<LatePreflight>& late_preflight)
{
  const auto& environment = find_environment(project, environment_name);
  std::vector<std::filesystem::path> inputs = environment.compose_files;
  for (const auto& service : services) {
    for (const auto& layer : service.layers) {
      inputs.push_back(layer.file);  // the files `extends` names (the key keeps each once)
    }
  }
  const ComposeCli cli(shard_project_name(project.prefix, environment_name, run_id, 0),
                       environment.compose_files, run_dir / "compose-config.log");
  const auto cache_file = project.state_dir / "cache" / ("compose-model-" + environment_name + ".json");
  const auto key = read_compose_model_inputs(
    inputs, environment.compose_files.front().parent_path(), current_environment());
  if (auto cached = load_cached_compose_model(cache_file, key)) {
    spdlog::debug("compose model: from the cache {}", cache_file.string());
    return std::move(*cached);
  }
  require_late_checks(late_preflight);
  spdlog::debug("compose model: resolving with `docker compose config`");
  return resolve_and_cache_compose_model(cli, key, cache_file);
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
  const auto& environment = find_environment(project, options.environment);
  // With --parallel auto the count is chosen once the tests are selected; until then only the
  // memory budget limits the stacks.
  const bool parallel_auto =
    options.parallel_auto || (!options.parallel && project.defaults.parallel_auto);
  const int parallel =
    parallel_auto ? k_auto_shard_limit : options.parallel.value_or(project.defaults.parallel);
  if (parallel < 1) {
    throw UsageError("--parallel must be at least 1");
  }
  check_output_paths(project, options);

  const auto memory_budget = options.memory_budget_bytes.value_or(project.memory_budget_bytes);
  RunEngines engines(select_engine_endpoints(project, options.engines, current_environment()));
  if (!fixtures.empty()) {
    // An engine of several that does not answer is left out; the main one is judged below.
    engines.leave_out_silent_engines(
      [](const std::string& line) { std::fprintf(stderr, "warning: %s\n", line.c_str()); });
  }
  DockerEngine& engine = engines.main();
  std::optional<LatePreflight> late_preflight;
  if (!fixtures.empty()) {
    // Before anything waits or starts: the engine answers and memory suffices. Refuses with what
    // to do (exit 7). Compose, the disk and our container count take 10-250 ms to answer: asked
    // now, judged once the run needs compose or at the latest before the tests are scheduled, so
    // that the first stack need not wait for them.
    PreflightOptions preflight;
    preflight.memory_budget_bytes = memory_budget;
    preflight.project_prefix = project.prefix;
    late_preflight.emplace(LatePreflight::start(engine, preflight));
    preflight.engine_and_memory_only = true;
    for (const auto& warning : run_preflight(engine, preflight).warnings()) {
      std::fprintf(stderr, "warning: %s\n", warning.c_str());
    }
  }

  // Two runs on one environment would fight over its resources: wait for the environment's lock,
  // saying who holds it. Runs of other environments (dev) do not wait, and neither do suites
  // that start no stack: they share nothing.
  std::optional<EnvironmentLock> lock;
  if (!fixtures.empty()) {
    lock.emplace(EnvironmentLock::acquire(
      project.lock_dir, options.environment,
      options.lock_timeout.value_or(project.defaults.lock_timeout), [&](const LockHolder& holder) {
        std::fprintf(stderr, "%s\n", describe_lock_wait(options.environment, holder).c_str());
      }));
  }

  const auto run_id = new_run_id();
  // Marked in use while the run goes; older folders beyond keep_runs are pruned.
  const auto run_folder = RunFolder::create(project.state_dir / "runs", run_id, project.keep_runs);
  const auto& run_dir = run_folder.path();
  ProgressReporter reporter(stdout, options.verbosity, should_color(options.color, stdout),
                            resolve_progress_style(options.progress, stdout, options.verbosity));

  if (!fixtures.empty()) {
    // Leftovers of earlier runs whose owner died (kill -9, a crash, a lost machine) are removed
    // first. Only this project's resources of this environment, only with a dead owner.
    engines.for_each(
      [&](DockerEngine& each) {
        sweep_leftovers_of_dead_runs(each, project, options.environment, reporter);
      },
      [&](const std::string& line) { reporter.message("warning: " + line); });
  }

  auto runner = make_test_runner(project, suite, run_dir);
  // Collecting needs no stack and a stack needs no test list: the first shard's stack comes up
  // while the tests are collected, by that shard's pytest worker (WorkerCollection) or by the
  // runner's central collection.
  const bool collect_in_worker = suite.runner == "pytest";
  std::future<std::vector<std::string>> collecting;
  if (!collect_in_worker) {
    collecting = std::async(std::launch::async, [&runner] { return runner->collect(); });
  }

  RunContext context(project, suite, *runner, engine, reporter);
  context.fixtures = fixtures;
  context.environment = options.environment;
  context.run_id = run_id;
  context.owner_label = to_label(current_owner());
  context.run_dir = run_dir;
  context.compose_files = environment.compose_files;
  context.started = started;
  context.timeline.set_origin(started);
  context.shard_count = parallel;  // until the tests are selected
  context.readiness_timeout = options.readiness_timeout.value_or(project.defaults.readiness_timeout);
  context.stop_timeout = project.defaults.stop_timeout;
  context.test_timeout = options.test_timeout.value_or(
    suite.test_timeout.count() > 0 ? suite.test_timeout : project.defaults.test_timeout);
  context.keep_on_failure = options.keep_on_failure;
  std::optional<WorkerCollection> worker_collection;
  if (collect_in_worker) {
    context.pytest_worker = pytest_worker_options(project, suite, {}, context.test_timeout);
    // As with batches: the tests' output goes straight to the shard log as it is written, so a
    // test that is killed keeps its output. Suite args that turn capturing back on come later and
    // win.
    context.pytest_worker->args.insert(context.pytest_worker->args.begin(), "-s");
    context.pytest_worker->collection_timeout = collect_timeout(project, suite);
    context.pytest_worker->scratch_dir = worker_scratch_dir(run_dir);
    context.worker_collection = &worker_collection.emplace(suite.name);
  }
  if (!fixtures.empty()) {
    // Read once for the model cache's inputs and for the policy lint.
    const auto services = load_compose_services(environment.compose_files);
    context.model =
      load_stack_model(project, options.environment, services, run_id, run_dir, late_preflight);
    check_fixtures_against_model(fixtures, context.model);
    enforce_compose_policy(project, fixtures, services);
  }
  std::optional<StackAdmission> admission;
  std::optional<EnginePlacement> placement;
  std::optional<ResourceMonitor> monitor;
  const FreshStackSettings stack_settings{project.prefix, options.environment, run_id,
                                          context.owner_label, context.compose_files,
                                          context.model, fixtures, context.readiness_timeout,
                                          context.stop_timeout};
  if (!fixtures.empty() && engines.several()) {
    // Each engine admits by its own budget; shards go to the first with room (scale-out.md).
    placement.emplace(stack_settings, engines.all(), engines.budgets(memory_budget), parallel,
                      [&](const std::string& line) { reporter.message(line); });
    context.admission = &placement->local_admission();
    context.stacks = &*placement;
  } else if (!fixtures.empty()) {
    admission.emplace(context.model, memory_budget, parallel);
    context.admission = &*admission;
  }
  if (!fixtures.empty()) {
    ResourceMonitorOptions monitoring;
    monitoring.run_id = run_id;
    monitoring.memory_floor_bytes = options.memory_floor_bytes;
    monitoring.on_sample = [&context](const std::map<int, std::uint64_t>& bytes_by_shard) {
      context.timeline.memory_sampled(bytes_by_shard);
    };
    monitor.emplace(engine, monitoring);
    context.admission->watch_pressure(
      *monitor, [&](const std::string& text) { reporter.message(text); });
  }
  std::optional<FreshStackProvider> stacks;
  if (!fixtures.empty() && !placement) {
    stacks.emplace(stack_settings, engine, context.admission);
    context.stacks = &*stacks;
  }

  // The watchdog starts before the first resource of the run exists, so that a kill -9 of this
  // process at any later moment still leaves nothing behind. Declared before the scheduler runs,
  // it is released after every stack was torn down.
  std::optional<ReaperGuard> reaper;
  std::optional<RunRemoval> removal;
  std::deque<RunRemoval> engine_removals;  // the other engines', when several
  ReaperLaunch reaper_launch;
  reaper_launch.log_file = run_dir / "reaper.log";  // a run's files live in its run folder
  if (!fixtures.empty()) {
    // The reaper reaches the run's engines on its own, the same way, if this process dies.
    reaper_launch.engines_file = run_dir / "engines.json";
    write_engine_endpoints(reaper_launch.engines_file, engines.endpoints());
    removal.emplace(engine, run_id, options.keep_on_failure);
    for (DockerEngine* other : engines.all()) {
      if (other != &engine) {
        engine_removals.emplace_back(*other, run_id, options.keep_on_failure);
      }
    }
    reaper.emplace(ReaperGuard::start(run_id, project.lock_dir, reaper_launch));
  }
  StackShardSessionFactory stack_factory(context);
  // Only the first shard opens before the tests are known: how many shards a run has depends on
  // how many tests are selected, and a stack nobody needs costs a second of CPU.
  const auto durations_file = project.state_dir / "durations.json";
  auto durations = DurationStore::load(durations_file);
  PrewarmedShardFactory factory(stack_factory,
                                shards_to_open_early(options, suite.name,
                                                     parallel_auto ? 1 : parallel, durations,
                                                     !fixtures.empty() || collect_in_worker));

  std::optional<std::vector<std::string>> from_worker;
  if (worker_collection) {
    from_worker = worker_collection->wait();
  }
  const auto collected = from_worker   ? std::move(*from_worker)
                         : collecting.valid() ? collecting.get()
                                              : runner->collect();
  require_late_checks(late_preflight);
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
  int shard_count = std::min(parallel, static_cast<int>(tests.size()));
  if (parallel_auto) {
    const auto choice = choose_shard_count(
      shard_count_inputs(tests, durations, suite.name, admission ? &*admission : nullptr));
    reporter.message(choice.explanation);
    shard_count = choice.shards;
  }
  context.shard_count = shard_count;
  if (admission && admission->max_concurrent_stacks() < shard_count) {
    reporter.message(admission->capped_message());
  }
  if (placement && placement->max_concurrent_stacks() < shard_count) {
    reporter.message("the engines' memory budgets allow " +
                     std::to_string(placement->max_concurrent_stacks()) + " of --parallel " +
                     std::to_string(shard_count) + " stacks; the other shards queue");
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
  SchedulerListener listener;
  listener.on_result = [&](const TestResult& result) {
    reporter.test_finished(result);
    context.timeline.result(result);
  };
  listener.on_shard_error = [&](const ShardError& error) {
    reporter.shard_failed(error.shard, error.message);
  };

  auto scheduled_future = std::async(std::launch::async, [&] {
    return run_shards(queue, shard_factory, scheduler_options, listener);
  });
  const auto scheduled = wait_for_shards(scheduled_future, engines, run_id);

  auto results = scheduled.results;
  auto not_run = scheduled.not_run;
  for (auto& result : results) {
    result.engine = placement ? placement->engine_of(result.shard) : engine.endpoint().name;
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
  if (!options.ci_shard) {
    // A CI matrix machine keeps the durations file as it was: every machine must plan its share
    // from the same durations, or two of them could disagree on who runs which test.
    record_durations(durations, durations_file, suite.name, results, context.shard_timings(),
                     static_cast<int>(tests.size()));
  }
  const auto elapsed = since(started);
  reporter.failures(results);
  std::uint64_t peak_total = 0;
  auto shard_timings = context.shard_timings();
  for (auto& shard : shard_timings) {
    shard.engine = placement ? placement->engine_of(shard.shard) : engine.endpoint().name;
  }
  if (monitor) {
    peak_total = monitor->peak_total();
    for (auto& shard : shard_timings) {
      shard.peak_memory_bytes = monitor->peak_for_shard(shard.shard);
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
  if (reaper) {
    // The reaper is released only once nothing of the run is left; a lost engine is exit 7.
    if (placement) {
      exit_code = settle_engine_removals(
        engine_removals_of(engines, *removal, engine_removals, shard_timings), *reaper,
        reaper_launch.log_file, exit_code, stderr);
    } else {
      exit_code =
        removal->settle(*reaper, reaper_launch.log_file, shard_timings, exit_code, stderr);
    }
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
  report.time_to_first_test = context.time_to_first_test().value_or(Milliseconds(0));
  report.time_to_first_up = context.time_to_first_up().value_or(Milliseconds(0));
  report.counts = counts;
  report.peak_memory_bytes = peak_total;
  report.shards = shard_timings;
  set_tests_ended(report.shards, context.timeline.timeline());
  report.orchestrator_cpu = own_cpu_time();
  report.tests = results;
  if (!options.report_json.empty()) {
    write_json_report(options.report_json, report);
  }
  keep_run_record(run_dir, {report, context.timeline.timeline()},
                  {options.trace_file, options.html_report});
  return exit_code;
}

}  // namespace orchestrate
