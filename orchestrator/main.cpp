// The thin `orchestrate` executable: parses the command line into plain option structs, configures
// logging, calls the library, and maps errors to exit codes. All logic lives in the library.

#include "core/Error.hpp"
#include "core/ExitCode.hpp"
#include "process/SignalState.hpp"
#include "run/RunCommand.hpp"

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace po = boost::program_options;
using orchestrate::ExitCode;

namespace {

constexpr const char* k_usage = R"(usage: orchestrate [run] --suite NAME [options]

Runs a test suite in parallel shards, each against its own Docker Compose stack, and leaves
nothing behind.

exit codes: 0 all passed, 1 tests failed, 2 interrupted, 3 internal error, 4 usage error,
            5 no tests collected, 6 environment lock busy, 7 Docker unavailable (preflight)
)";

void configure_logging(int verbosity)
{
  auto logger = spdlog::stderr_color_mt("orchestrate");
  spdlog::set_default_logger(logger);
  if (verbosity > 0) {
    spdlog::set_level(spdlog::level::debug);
    spdlog::set_pattern("%H:%M:%S.%e [pid %P] %^%l%$ %v");
  } else {
    spdlog::set_level(spdlog::level::warn);
    spdlog::set_pattern("%^%l%$: %v");
  }
}

std::optional<orchestrate::Milliseconds> duration_option(const po::variables_map& values,
                                                         const char* name)
{
  if (values.count(name) == 0) {
    return std::nullopt;
  }
  const auto text = values[name].as<std::string>();
  auto parsed = orchestrate::parse_duration(text);
  if (!parsed) {
    throw orchestrate::UsageError(std::string("--") + name + ": '" + text +
                                  "' is not a duration; expected e.g. 30s, 500ms, 2m");
  }
  return parsed;
}

int run_command(const std::vector<std::string>& arguments)
{
  po::options_description described("options");
  int verbose = 0;
  bool quiet = false;
  described.add_options()
    ("help,h", "show this help")
    ("version", "print the version")
    ("suite,s", po::value<std::string>(), "suite to run (suites/<NAME>.yaml)")
    ("parallel,n", po::value<int>(), "shards to run at once (default: orchestrate.yaml)")
    ("env", po::value<std::string>()->default_value("test"), "environment to run in")
    ("dist", po::value<std::string>()->default_value("dynamic"),
     "dynamic: shards take batches from a shared queue; static: fixed duration-balanced shards")
    ("exitfirst,x", po::bool_switch(), "stop after the first failure")
    ("maxfail", po::value<int>(), "stop after N failures")
    ("readiness-timeout", po::value<std::string>(), "per-stack readiness timeout, e.g. 60s")
    ("junit-xml", po::value<std::string>(), "write a merged JUnit XML report here")
    ("report-json", po::value<std::string>(), "write a JSON report here")
    ("project-dir,C", po::value<std::string>()->default_value("."),
     "folder holding orchestrate.yaml")
    ("verbose,v", po::value<int>(&verbose)->zero_tokens()->implicit_value(1), "more output")
    ("quiet,q", po::bool_switch(&quiet), "less output");

  po::variables_map values;
  po::store(po::command_line_parser(arguments).options(described).run(), values);
  po::notify(values);

  if (values.count("help") != 0) {
    std::cout << k_usage << "\n" << described << "\n";
    return 0;
  }
  if (values.count("version") != 0) {
    std::cout << "orchestrate " << ORCHESTRATE_VERSION << "\n";
    return 0;
  }
  configure_logging(verbose);
  if (values.count("suite") == 0) {
    throw orchestrate::UsageError("--suite is required (see orchestrate --help)");
  }

  orchestrate::RunOptions options;
  options.project_dir = values["project-dir"].as<std::string>();
  options.suite = values["suite"].as<std::string>();
  options.environment = values["env"].as<std::string>();
  if (values.count("parallel") != 0) {
    options.parallel = values["parallel"].as<int>();
  }
  const auto dist = values["dist"].as<std::string>();
  if (dist == "static") {
    options.distribution = orchestrate::Distribution::k_static;
  } else if (dist != "dynamic") {
    throw orchestrate::UsageError("--dist: expected dynamic or static, got '" + dist + "'");
  }
  if (values["exitfirst"].as<bool>()) {
    options.max_failures = 1;
  }
  if (values.count("maxfail") != 0) {
    options.max_failures = values["maxfail"].as<int>();
  }
  options.readiness_timeout = duration_option(values, "readiness-timeout");
  if (values.count("junit-xml") != 0) {
    options.junit_xml = std::filesystem::absolute(values["junit-xml"].as<std::string>());
  }
  if (values.count("report-json") != 0) {
    options.report_json = std::filesystem::absolute(values["report-json"].as<std::string>());
  }
  options.verbosity = quiet ? orchestrate::Verbosity::k_quiet
                            : (verbose > 0 ? orchestrate::Verbosity::k_verbose
                                           : orchestrate::Verbosity::k_normal);
  orchestrate::install_signal_handlers();
  return orchestrate::to_int(orchestrate::run_suite(options));
}

}  // namespace

int main(int argc, char** argv)
{
  std::vector<std::string> arguments(argv + 1, argv + argc);
  if (!arguments.empty() && arguments.front() == "run") {
    arguments.erase(arguments.begin());
  }
  try {
    return run_command(arguments);
  } catch (const po::error& error) {
    std::fprintf(stderr, "orchestrate: %s (see orchestrate --help)\n", error.what());
    return orchestrate::to_int(ExitCode::k_usage_error);
  } catch (const orchestrate::Error& error) {
    std::fprintf(stderr, "orchestrate: %s\n", error.what());
    return orchestrate::to_int(error.exit_code());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "orchestrate: internal error: %s\n", error.what());
    return orchestrate::to_int(ExitCode::k_internal_error);
  }
}
