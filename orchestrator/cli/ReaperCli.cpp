// `orchestrate __reaper` (hidden): the reaper process that ReaperGuard::start launches. Not for
// users; see docs/cleanup.md.

#include "cleanup/Reaper.hpp"
#include "cli/Commands.hpp"

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace orchestrate::cli {

namespace {

// --give-up-after, else ORCHESTRATE_REAPER_GIVE_UP_AFTER, else the default of ReapSchedule.
ReapSchedule reap_schedule(const po::variables_map& values)
{
  if (values.count("give-up-after") != 0) {
    return reap_schedule_giving_up_after(values["give-up-after"].as<std::string>(),
                                         "--give-up-after");
  }
  return reap_schedule_from_environment();
}

}  // namespace

int reaper_command(const std::vector<std::string>& arguments)
{
  po::options_description described("options");
  described.add_options()
    ("run-id", po::value<std::string>()->required(), "the run to watch")
    ("lock-dir", po::value<std::string>()->required(), "where the reaper's lock goes")
    ("log-file", po::value<std::string>()->default_value(""),
     "the reaper's log (default <lock-dir>/reaper-<run-id>.log)")
    ("give-up-after", po::value<std::string>(), "how long to keep trying (default 10m)")
    ("docker-host", po::value<std::string>()->default_value(""), "the engine (default DOCKER_HOST)")
    ("engines-file", po::value<std::string>()->default_value(""),
     "the run's engines (JSON, written by the run); replaces --docker-host");
  po::variables_map values;
  po::store(po::command_line_parser(arguments).options(described).run(), values);
  po::notify(values);
  return run_reaper(values["run-id"].as<std::string>(), values["lock-dir"].as<std::string>(),
                    values["docker-host"].as<std::string>(),
                    values["log-file"].as<std::string>(), reap_schedule(values),
                    values["engines-file"].as<std::string>());
}

}  // namespace orchestrate::cli
