// `orchestrate [run]`: parses the run options into RunOptions and calls run_suite().

#include "cli/CliSupport.hpp"
#include "cli/Commands.hpp"
#include "cli/EngineOptions.hpp"
#include "cli/RunSelectionCli.hpp"
#include "core/Error.hpp"
#include "process/SignalState.hpp"
#include "run/RunCommand.hpp"
#include "selection/CiShard.hpp"

#include <boost/program_options.hpp>

#include <charconv>

namespace po = boost::program_options;

namespace orchestrate::cli {

namespace {

constexpr const char* k_usage = R"(usage: orchestrate [run] [--suite NAME] [options] [TEST_ID|PATH ...]
       orchestrate COMMAND [options]     (COMMAND --help for each)

Runs a test suite in parallel shards, each against its own Docker Compose stack, and leaves
nothing behind.

commands: run (default), cleanup, env, pool, lock, lint, validate, merge, report

Test ids and paths narrow the suite (pytest's node ids: suites/integration/test_pg.py::test_x);
without --suite they pick the suite whose paths hold them. Without -C the nearest orchestrate.yaml
in this folder or above is used. Every option can also be set as ORCHESTRATE_<OPTION> (e.g.
ORCHESTRATE_PARALLEL=8) and in ORCHESTRATE_ADDOPTS="-x --durations 5"; the command line wins over
ORCHESTRATE_ADDOPTS, which wins over ORCHESTRATE_<OPTION>, which wins over orchestrate.yaml.

exit codes: 0 all passed, 1 tests failed, 2 interrupted, 3 internal error, 4 usage error,
            5 no tests collected, 6 environment lock busy, 7 Docker unavailable (preflight)
)";

// The number of --parallel; the range is checked by the run (at least 1).
int parallel_option(const std::string& text)
{
  int number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw UsageError("--parallel: expected a number of shards or auto, got '" + text + "'");
  }
  return number;
}

}  // namespace

int run_command(const std::vector<std::string>& arguments)
{
  po::options_description described("options");
  int verbose = 0;
  bool quiet = false;
  described.add_options()
    ("help,h", "show this help")
    ("version", "print the version")
    ("suite,s", po::value<std::string>(), "suite to run (suites/<NAME>.yaml)")
    ("parallel,n", po::value<std::string>(),
     "shards to run at once, or auto: chosen from cores, memory budget and recorded durations "
     "(default: orchestrate.yaml)")
    ("env", po::value<std::string>()->default_value("test"), "environment to run in")
    ("dist", po::value<std::string>()->default_value("dynamic"),
     "dynamic: shards take batches from a shared queue; static: fixed duration-balanced shards")
    ("keyword,k", po::value<std::string>(), "only tests matching EXPR (pytest's -k syntax)")
    ("lf", po::bool_switch(), "only the tests that failed last time (all if none failed)")
    ("shard", po::value<std::string>(),
     "I/N: this CI machine's deterministic share of the tests; `ci` reads GitLab, CircleCI, "
     "Buildkite or Bazel variables")
    ("exitfirst,x", po::bool_switch(), "stop after the first failure")
    ("maxfail", po::value<int>(), "stop after N failures")
    ("reruns", po::value<int>(), "retry a failed test up to N times; a pass on retry is FLAKY")
    ("timeout", po::value<std::string>(), "per-test timeout, e.g. 30s (default: suite, then project)")
    ("keep-on-failure", po::bool_switch(), "leave a failing shard's stack up for inspection")
    ("readiness-timeout", po::value<std::string>(), "per-stack readiness timeout, e.g. 60s")
    ("memory-budget", po::value<std::string>(),
     "most memory the concurrent stacks may be limited to, e.g. 4GiB (default: orchestrate.yaml)")
    ("memory-floor", po::value<std::string>(),
     "start no new stack while the host's MemAvailable is below this (default 256MiB)")
    ("start-slots", po::value<int>(),
     "stacks that start at once on each engine, 0: no limit (default: the engine's CPUs)")
    ("lock-timeout", po::value<std::string>(),
     "how long to wait for the environment lock (default: orchestrate.yaml, 10m)")
    ("junit-xml", po::value<std::string>(), "write a merged JUnit XML report here")
    ("report-json", po::value<std::string>(), "write a JSON report here")
    ("trace", po::value<std::string>(),
     "write the run's timeline as Chrome trace events here (open in ui.perfetto.dev)")
    ("html", po::value<std::string>(), "write a self-contained HTML report of the run here")
    ("project-dir,C", po::value<std::string>(),
     "folder holding orchestrate.yaml (default: the nearest in this folder or above)")
    ("reuse", po::bool_switch(),
     "claim warm stacks of earlier --reuse runs (reset first) and return this run's stacks to "
     "the pool instead of removing them")
    ("no-reuse", po::bool_switch(), "fresh stacks, removed at the end (overrides `reuse: true`)")
    ("reuse-ttl", po::value<std::string>(),
     "how long a returned stack stays warm without being claimed (default 15m)")
    ("verbose,v", po::value<int>(&verbose)->zero_tokens()->implicit_value(1), "more output")
    ("quiet,q", po::bool_switch(&quiet), "less output")
    ("progress", po::value<std::string>()->default_value("auto"),
     "live: a status line per shard redrawn in place; lines: one line per test; auto: live on a "
     "terminal (TERM not dumb, no -q), else lines");

  describe_engine_option(described, "place stacks only on this engine of orchestrate.yaml's "
                                    "`engines` (repeatable; default: all of them)");
  po::options_description hidden;
  po::positional_options_description positional;
  describe_selection_options(described, hidden, positional);

  const auto parsed = parse_command_line_and_environment(arguments, k_usage, described, hidden,
                                                         positional, process_environment());
  if (!parsed) {
    return 0;
  }
  const auto& values = *parsed;
  configure_logging(verbose);

  RunOptions options;
  options.project_dir = project_dir_option(values);
  if (values.count("suite") != 0) {
    options.suite = values["suite"].as<std::string>();
  }
  options.environment = values["env"].as<std::string>();
  if (values.count("parallel") != 0) {
    const auto parallel = values["parallel"].as<std::string>();
    if (parallel == "auto") {
      options.parallel_auto = true;
    } else {
      options.parallel = parallel_option(parallel);
    }
  }
  const auto dist = values["dist"].as<std::string>();
  if (dist == "static") {
    options.distribution = Distribution::k_static;
  } else if (dist != "dynamic") {
    throw UsageError("--dist: expected dynamic or static, got '" + dist + "'");
  }
  if (values.count("keyword") != 0) {
    options.keyword_expression = values["keyword"].as<std::string>();
  }
  options.last_failed = values["lf"].as<bool>();
  if (values.count("shard") != 0) {
    options.ci_shard = values["shard"].as<std::string>();
  }
  if (values["exitfirst"].as<bool>()) {
    options.max_failures = 1;
  }
  if (values.count("maxfail") != 0) {
    options.max_failures = values["maxfail"].as<int>();
    if (options.max_failures < 1) {
      throw UsageError("--maxfail must be at least 1");
    }
  }
  if (values.count("reruns") != 0) {
    options.reruns = values["reruns"].as<int>();
    if (options.reruns < 0) {
      throw UsageError("--reruns must be 0 or more");
    }
  }
  options.test_timeout = duration_option(values, "timeout");
  options.keep_on_failure = values["keep-on-failure"].as<bool>();
  options.readiness_timeout = duration_option(values, "readiness-timeout");
  options.lock_timeout = duration_option(values, "lock-timeout");
  options.memory_budget_bytes = byte_size_option(values, "memory-budget");
  options.engines = engine_names_option(values);
  if (values.count("start-slots") != 0) {
    options.start_slots = values["start-slots"].as<int>();
    if (*options.start_slots < 0) {
      throw UsageError("--start-slots must be 0 (no limit) or more");
    }
  }
  if (auto floor = byte_size_option(values, "memory-floor")) {
    options.memory_floor_bytes = *floor;
  }
  if (values.count("junit-xml") != 0) {
    options.junit_xml = std::filesystem::absolute(values["junit-xml"].as<std::string>());
  }
  if (values.count("report-json") != 0) {
    options.report_json = std::filesystem::absolute(values["report-json"].as<std::string>());
  }
  if (values.count("trace") != 0) {
    options.trace_file = std::filesystem::absolute(values["trace"].as<std::string>());
  }
  if (values.count("html") != 0) {
    options.html_report = std::filesystem::absolute(values["html"].as<std::string>());
  }
  options.verbosity = quiet ? Verbosity::k_quiet
                            : (verbose > 0 ? Verbosity::k_verbose
                                           : Verbosity::k_normal);
  const auto progress = values["progress"].as<std::string>();
  if (progress == "live") {
    options.progress = ProgressStyle::k_live;
  } else if (progress == "lines") {
    options.progress = ProgressStyle::k_lines;
  } else if (progress != "auto") {
    throw UsageError("--progress: expected auto, live or lines, got '" + progress + "'");
  }
  if (values["reuse"].as<bool>() && values["no-reuse"].as<bool>()) {
    throw UsageError("--reuse and --no-reuse contradict each other; give one");
  }
  if (values["reuse"].as<bool>() || values["no-reuse"].as<bool>()) {
    options.reuse = values["reuse"].as<bool>();
  }
  options.reuse_ttl = duration_option(values, "reuse-ttl");
  if (options.reuse_ttl && options.reuse_ttl->count() == 0) {
    throw UsageError("--reuse-ttl must be longer than 0");
  }
  read_selection_options(values, options);
  install_signal_handlers();
  return to_int(run_suite(options));
}


}  // namespace orchestrate::cli
