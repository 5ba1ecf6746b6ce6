// `orchestrate pool status|down`: the warm stacks that --reuse runs keep between runs, and the
// hidden `orchestrate __pool-keeper` that removes them at their deadline (docs/warm-stacks.md).

#include "cli/CliSupport.hpp"
#include "cli/Commands.hpp"
#include "config/ConfigLoader.hpp"
#include "core/Error.hpp"
#include "docker/EngineEndpoint.hpp"
#include "pool/PoolKeeper.hpp"
#include "pool/PoolStatus.hpp"
#include "process/EnvironmentVariables.hpp"

#include <boost/program_options.hpp>
#include <iostream>

namespace po = boost::program_options;

namespace orchestrate::cli {

namespace {

constexpr const char* k_usage = R"(usage: orchestrate pool status|down [options]

The pool holds the warm stacks of `--reuse` runs: stacks a run left up for the next one, each
with its key (what the compose files and images were), an idle deadline (--reuse-ttl, default
15m) and, while a run uses it, the run that claimed it.

  status   lists the warm stacks: key, age, deadline, claimed by
  down     removes every warm stack that no run has claimed right now (exit 1 when some are
           claimed: they are left to their runs)
)";

}  // namespace

int pool_command(const std::vector<std::string>& arguments)
{
  po::options_description described("options");
  int verbose = 0;
  described.add_options()
    ("help,h", "show this help")
    ("env", po::value<std::string>()->default_value("test"), "environment whose pool to show")
    ("project-dir,C", po::value<std::string>(),
     "folder holding orchestrate.yaml (default: the nearest in this folder or above)")
    ("verbose,v", po::value<int>(&verbose)->zero_tokens()->implicit_value(1), "more output");
  po::options_description hidden;
  hidden.add_options()("action", po::value<std::string>(), "status or down");
  po::positional_options_description positional;
  positional.add("action", 1);

  const auto parsed = parse_command_line(arguments, k_usage, described, hidden, positional);
  if (!parsed) {
    return 0;
  }
  const auto& values = *parsed;
  configure_logging(verbose);
  const auto action = values.count("action") != 0 ? values["action"].as<std::string>() : "";
  if (action != "status" && action != "down") {
    throw UsageError("pool: expected an action, status or down" +
                     (action.empty() ? std::string() : ", got '" + action + "'"));
  }
  const auto project = load_project_config(std::filesystem::absolute(project_dir_option(values)));
  const auto environment = values["env"].as<std::string>();
  const auto place = pool_place(project, environment);
  // The pool lives on the main engine: the first of orchestrate.yaml's `engines` (docs/scale-out.md).
  DockerEngine engine(select_engine_endpoints(project, {}, current_environment()).front());
  const auto now = std::chrono::system_clock::now();
  if (action == "status") {
    std::cout << format_pool_status(list_pool_stacks(engine, place), environment, now);
    return 0;
  }
  const auto result = sweep_pool(engine, place, now, true);
  for (const auto& removed : result.removed) {
    std::cout << "removed " << removed << "\n";
  }
  for (const auto& stack : result.claimed) {
    std::cout << "left " << stack << ": claimed by a run (" << StackClaim::holder(place.lock_dir, stack)
              << ")\n";
  }
  for (const auto& failure : result.failures) {
    std::cerr << "could not remove " << failure << "\n";
  }
  if (result.removed.empty() && result.claimed.empty() && result.failures.empty()) {
    std::cout << "no warm stacks in the " << environment << " pool\n";
  }
  return (result.claimed.empty() && result.failures.empty()) ? 0 : to_int(ExitCode::k_tests_failed);
}

int pool_keeper_command(const std::vector<std::string>& arguments)
{
  po::options_description described("options");
  described.add_options()
    ("prefix", po::value<std::string>()->required(), "the project prefix")
    ("env", po::value<std::string>()->required(), "the environment")
    ("pool-dir", po::value<std::string>()->required(), "where the pool's records are")
    ("lock-dir", po::value<std::string>()->required(), "where the claims are");
  po::variables_map values;
  po::store(po::command_line_parser(arguments).options(described).run(), values);
  po::notify(values);
  PoolPlace place{values["prefix"].as<std::string>(), values["env"].as<std::string>(),
                  values["pool-dir"].as<std::string>(), values["lock-dir"].as<std::string>()};
  return run_pool_keeper(place);
}

}  // namespace orchestrate::cli
