// `orchestrate env up|down|status --env dev`: the long-lived stack of an environment.

#include "cli/CliSupport.hpp"
#include "cli/Commands.hpp"
#include "cli/EngineOptions.hpp"
#include "config/ConfigLoader.hpp"
#include "core/Error.hpp"
#include "environments/EnvironmentStack.hpp"
#include "process/EnvironmentVariables.hpp"
#include "process/SignalState.hpp"

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

namespace po = boost::program_options;

namespace orchestrate::cli {

namespace {

constexpr const char* k_usage = R"(usage: orchestrate env up|down|status [--env NAME] [options]

Manages the long-lived stack of an environment of orchestrate.yaml (e.g. dev), next to test runs:
  up      start it (compose project <prefix>-<env>) and wait until every service is healthy,
          then print each service with its published ports; it keeps running afterwards
  down    remove it, its data volumes included
  status  list its containers with state, health and ports
up and down hold the environment's lock while they work. The test environment belongs to runs
(`orchestrate --suite NAME`) and cannot be managed here.
)";

void announce_wait(const std::string& env, const LockHolder& holder)
{
  std::fprintf(stderr, "%s\n", describe_lock_wait(env, holder).c_str());
}

}  // namespace

int env_command(const std::vector<std::string>& arguments)
{
  po::options_description described("options");
  int verbose = 0;
  described.add_options()
    ("help,h", "show this help")
    ("env", po::value<std::string>()->default_value("dev"), "environment of orchestrate.yaml")
    ("lock-timeout", po::value<std::string>(),
     "how long up/down wait for the environment lock (default: orchestrate.yaml)")
    ("readiness-timeout", po::value<std::string>(),
     "how long up waits for the services to be healthy (default: orchestrate.yaml)")
    ("project-dir,C", po::value<std::string>(),
     "folder holding orchestrate.yaml (default: the nearest in this folder or above)")
    ("verbose,v", po::value<int>(&verbose)->zero_tokens()->implicit_value(1), "more output");
  po::options_description hidden;
  hidden.add_options()("action", po::value<std::string>(), "up, down or status");
  po::positional_options_description positional;
  positional.add("action", 1);

  describe_engine_option(described, "the engine of orchestrate.yaml's `engines` the stack is on "
                                    "(default: the first)");
  const auto parsed = parse_command_line(arguments, k_usage, described, hidden, positional);
  if (!parsed) {
    return 0;
  }
  const auto& values = *parsed;
  configure_logging(verbose);
  if (values.count("action") == 0) {
    throw UsageError("env: expected an action: up, down or status (see orchestrate env --help)");
  }
  const auto action = values["action"].as<std::string>();
  const auto env = values["env"].as<std::string>();
  const auto project =
    load_project_config(std::filesystem::absolute(project_dir_option(values)));
  const auto lock_timeout =
    duration_option(values, "lock-timeout").value_or(project.defaults.lock_timeout);
  const auto on_wait = [&env](const LockHolder& holder) { announce_wait(env, holder); };
  const auto engine_names = engine_names_option(values);
  if (engine_names.size() > 1) {
    throw UsageError("env: --engine names one engine (an env stack lives on one)");
  }
  const auto engine =
    select_engine_endpoints(project, engine_names, current_environment()).front();

  if (action == "status") {
    std::cout << format_environment_status(environment_status(project, env, engine));
    return 0;
  }
  install_signal_handlers();
  if (action == "up") {
    const auto ready_timeout = duration_option(values, "readiness-timeout")
                                 .value_or(project.defaults.readiness_timeout);
    std::cout << format_environment_status(
      environment_up(project, env, lock_timeout, ready_timeout, on_wait, engine));
    return 0;
  }
  if (action == "down") {
    const auto report = environment_down(project, env, lock_timeout, on_wait, engine);
    for (const auto& leftover : report.removed_leftovers) {
      std::cout << "removed leftover " << leftover << "\n";
    }
    for (const auto& failure : report.failed_removals) {
      std::cerr << "could not remove " << failure << "\n";
    }
    if (!report.failed_removals.empty()) {
      return to_int(ExitCode::k_internal_error);
    }
    std::cout << env << " environment is down (" << format_seconds(report.duration) << ")\n";
    return 0;
  }
  throw UsageError("env: unknown action '" + action + "'; expected up, down or status");
}

}  // namespace orchestrate::cli
