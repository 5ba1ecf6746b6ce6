// `orchestrate lock status`: who holds which environment lock.

#include "cli/CliSupport.hpp"
#include "cli/Commands.hpp"
#include "config/ConfigLoader.hpp"
#include "core/Error.hpp"
#include "locking/EnvironmentLock.hpp"

#include <boost/program_options.hpp>
#include <iostream>

namespace po = boost::program_options;

namespace orchestrate::cli {

namespace {

constexpr const char* k_usage = R"(usage: orchestrate lock status [options]

Lists the holder of each environment lock (pid, host, command, since). Each environment (test,
dev, ...) has its own lock, taken by runs and by `orchestrate env up|down`.
)";

}  // namespace

int lock_command(const std::vector<std::string>& arguments)
{
  po::options_description described("options");
  int verbose = 0;
  described.add_options()
    ("help,h", "show this help")
    ("project-dir,C", po::value<std::string>(),
     "folder holding orchestrate.yaml (default: the nearest in this folder or above)")
    ("verbose,v", po::value<int>(&verbose)->zero_tokens()->implicit_value(1), "more output");
  po::options_description hidden;
  hidden.add_options()("action", po::value<std::string>()->default_value("status"), "status");
  po::positional_options_description positional;
  positional.add("action", 1);

  const auto parsed = parse_command_line(arguments, k_usage, described, hidden, positional);
  if (!parsed) {
    return 0;
  }
  const auto& values = *parsed;
  configure_logging(verbose);
  const auto action = values["action"].as<std::string>();
  if (action != "status") {
    throw UsageError("lock: unknown action '" + action + "'; expected status");
  }
  const auto project =
    load_project_config(std::filesystem::absolute(project_dir_option(values)));
  const auto holders = lock_holders(project.lock_dir);
  if (holders.empty()) {
    std::cout << "no environment lock is held\n";
    return 0;
  }
  for (const auto& [env, holder] : holders) {
    if (holder.pid == 0) {
      std::cout << env << ": held by a process that did not record who it is\n";
      continue;
    }
    std::cout << env << ": held by pid " << holder.pid << " on " << holder.host << " since "
              << holder.since << ": `" << holder.command << "`\n";
  }
  return 0;
}

}  // namespace orchestrate::cli
