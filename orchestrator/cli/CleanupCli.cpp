// `orchestrate cleanup`: sweeps what dead (or old) runs left behind, once or every --watch
// interval. The rules are sweep_stale_resources()'s; see docs/cleanup.md.

#include "cleanup/StaleSweep.hpp"
#include "cli/CliSupport.hpp"
#include "cli/Commands.hpp"
#include "cli/EngineOptions.hpp"
#include "config/ConfigLoader.hpp"
#include "config/ProjectDiscovery.hpp"
#include "core/Error.hpp"
#include "core/ExitCode.hpp"
#include "docker/DockerEngine.hpp"
#include "docker/EngineEndpoint.hpp"
#include "pool/PoolInventory.hpp"
#include "process/EnvironmentVariables.hpp"
#include "process/SignalState.hpp"

#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

namespace po = boost::program_options;

namespace orchestrate::cli {

namespace {

constexpr const char* k_usage = R"(usage: orchestrate cleanup [options]

Removes containers, networks and volumes that orchestrate created (label
io.orchestrate.managed=true) in one environment and whose owner process is dead on this host,
or, with --older-than, that were created at least that long ago. Never touches anything
without orchestrate's labels, never filters by name, never prunes. Without -C and without an
orchestrate.yaml in the current folder it sweeps every orchestrate project; with one, only
that project's prefix. Env stacks (`orchestrate env up`) and their volumes are kept: their
owner is the `env up` process, dead once it returned, which says nothing about whether anyone
uses them. `orchestrate env down` removes them, or this command with --include-env-stacks.
)";

constexpr Milliseconds k_watch_step(200);

// Prints one line per resource; returns how many could not be removed.
int print_sweep(const std::vector<SweptResource>& swept, const SweepOptions& options)
{
  int failures = 0;
  for (const auto& resource : swept) {
    const char* verb = options.dry_run ? "would remove" : "removed";
    if (!options.dry_run && !resource.removed) {
      verb = "could not remove";
      ++failures;
    }
    std::cout << verb << " " << resource.kind << " " << resource.name << ": " << resource.reason
              << "\n";
  }
  const std::string scope = "env " + options.environment + ", "
                            + (options.project_prefix.empty()
                                 ? std::string("any project")
                                 : "project " + options.project_prefix);
  if (swept.empty()) {
    std::cout << "cleanup: nothing to remove (" << scope << ")\n";
  } else if (options.dry_run) {
    std::cout << "cleanup: " << swept.size() << " would be removed (" << scope << ", dry run)\n";
  } else {
    std::cout << "cleanup: " << swept.size() - failures << " removed, " << failures
              << " could not be removed (" << scope << ")\n";
  }
  std::cout << std::flush;
  return failures;
}

// The project to sweep: the -C project, the nearest orchestrate.yaml (this folder or above), or
// none (any project, on the default engine; no pool, whose records live in a project).
std::optional<ProjectConfig> sweep_project(const po::variables_map& values)
{
  if (values.count("project-dir") != 0) {
    return load_project_config(values["project-dir"].as<std::string>());
  }
  if (const auto root = find_project_root(std::filesystem::current_path())) {
    return load_project_config(*root);
  }
  return std::nullopt;
}

// The engines to sweep: --engine NAME..., else every engine the project configures, else the
// default engine.
std::vector<EngineEndpoint> sweep_engines(const std::optional<ProjectConfig>& project,
                                          const std::vector<std::string>& selected)
{
  if (!project) {
    if (!selected.empty()) {
      throw UsageError("--engine needs a project (orchestrate.yaml here or -C DIR) that names "
                       "its engines");
    }
    return {default_engine_endpoint(current_environment())};
  }
  return select_engine_endpoints(*project, selected, current_environment());
}

// Warm stacks are judged by their pool deadline, not by their owner: the expired, unclaimed ones
// go (a dry run lists them). Returns how many could not be removed.
int sweep_expired_pool(DockerEngine& engine, const std::optional<PoolPlace>& place, bool dry_run)
{
  if (!place) {
    return 0;
  }
  const auto now = std::chrono::system_clock::now();
  if (dry_run) {
    for (const auto& stack : list_pool_stacks(engine, *place)) {
      const auto why = pool_expiry_reason(stack.record, now);
      if (stack.claimed_by.empty() && !why.empty()) {
        std::cout << "would remove warm stack " << stack.stack << " (" << why << ")\n";
      }
    }
    return 0;
  }
  const auto result = sweep_pool(engine, *place, now, false);
  for (const auto& removed : result.removed) {
    std::cout << "removed warm stack " << removed << "\n";
  }
  for (const auto& failure : result.failures) {
    std::cout << "could not remove " << failure << "\n";
  }
  return static_cast<int>(result.failures.size());
}

// Sweeps every engine once, and the pool's expired warm stacks on the first, the main engine
// (where a run with the same engines keeps its warm stacks); returns how many resources could not
// be removed.
int sweep_once(std::vector<DockerEngine>& engines, const SweepOptions& options,
               const std::optional<PoolPlace>& pool)
{
  int failures = 0;
  for (auto& engine : engines) {
    if (engines.size() > 1) {
      std::cout << "engine " << engine.endpoint().name << " (" << engine.endpoint().host
                << "):\n";
    }
    failures += print_sweep(sweep_stale_resources(engine, options), options);
  }
  return failures + sweep_expired_pool(engines.front(), pool, options.dry_run);
}

// Sleeps `interval` in small steps; returns false as soon as a SIGINT/SIGTERM arrived.
bool sleep_unless_interrupted(Milliseconds interval)
{
  const auto deadline = std::chrono::steady_clock::now() + interval;
  while (std::chrono::steady_clock::now() < deadline) {
    if (interrupt_count() > 0) {
      return false;
    }
    std::this_thread::sleep_for(k_watch_step);
  }
  return interrupt_count() == 0;
}

int watch(std::vector<DockerEngine>& engines, const SweepOptions& options,
          const std::optional<PoolPlace>& pool, Milliseconds interval)
{
  install_signal_handlers();
  std::cout << "cleanup: sweeping every " << format_seconds(interval)
            << " until interrupted\n" << std::flush;
  do {
    try {
      sweep_once(engines, options, pool);
    } catch (const Error& error) {
      // A watcher outlives a restart of the engine: say so and try again next time.
      std::cerr << "orchestrate cleanup: " << error.what() << "\n" << std::flush;
    }
  } while (sleep_unless_interrupted(interval));
  std::cout << "cleanup: stopped\n";
  return 0;
}

}  // namespace

int cleanup_command(const std::vector<std::string>& arguments)
{
  po::options_description described("options");
  int verbose = 0;
  described.add_options()
    ("help,h", "show this help")
    ("dry-run", po::bool_switch(), "list what would be removed, remove nothing")
    ("older-than", po::value<std::string>(),
     "also remove what was created at least this long ago, whoever owns it (e.g. 2h)")
    ("env", po::value<std::string>()->default_value("test"),
     "environment to sweep (runs' stacks of that environment)")
    ("include-env-stacks", po::bool_switch(),
     "also remove the env stack (`env up`) of --env and its volumes when its owner is dead")
    ("watch", po::value<std::string>(), "sweep again every INTERVAL (e.g. 30m) until SIGINT/SIGTERM")
    ("project-dir,C", po::value<std::string>(), "folder holding orchestrate.yaml: sweep only its project")

    ("verbose,v", po::value<int>(&verbose)->zero_tokens()->implicit_value(1), "more output");

  describe_engine_option(
    described, "sweep only this engine of orchestrate.yaml's `engines` (repeatable; default: all)");
  const auto parsed = parse_command_line(arguments, k_usage, described);
  if (!parsed) {
    return 0;
  }
  const auto& values = *parsed;
  configure_logging(verbose);

  SweepOptions options;
  options.environment = values["env"].as<std::string>();
  options.older_than = duration_option(values, "older-than");
  options.dry_run = values["dry-run"].as<bool>();
  options.include_env_stacks = values["include-env-stacks"].as<bool>();
  const auto project = sweep_project(values);
  options.project_prefix = project ? project->prefix : std::string();
  std::optional<PoolPlace> pool;
  if (project) {
    pool = pool_place(*project, options.environment);
  }
  const auto interval = duration_option(values, "watch");
  if (interval && interval->count() <= 0) {
    throw UsageError("--watch: the interval must be more than 0");
  }

  std::vector<DockerEngine> engines;
  for (const auto& endpoint : sweep_engines(project, engine_names_option(values))) {
    engines.emplace_back(endpoint);
  }
  if (interval) {
    return watch(engines, options, pool, *interval);
  }
  const int failures = sweep_once(engines, options, pool);
  return to_int(failures == 0 ? ExitCode::k_all_passed : ExitCode::k_internal_error);
}

}  // namespace orchestrate::cli
