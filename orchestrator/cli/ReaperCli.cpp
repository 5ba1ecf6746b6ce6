// `orchestrate __reaper` (hidden): the reaper process that ReaperGuard::start launches. Not for
// users; see docs/cleanup.md.

#include "cleanup/Reaper.hpp"
#include "cli/Commands.hpp"

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace orchestrate::cli {

int reaper_command(const std::vector<std::string>& arguments)
{
  po::options_description described("options");
  described.add_options()
    ("run-id", po::value<std::string>()->required(), "the run to watch")
    ("lock-dir", po::value<std::string>()->required(), "where the reaper's lock and log go")
    ("docker-host", po::value<std::string>()->default_value(""), "the engine (default DOCKER_HOST)");
  po::variables_map values;
  po::store(po::command_line_parser(arguments).options(described).run(), values);
  po::notify(values);
  return run_reaper(values["run-id"].as<std::string>(), values["lock-dir"].as<std::string>(),
                    values["docker-host"].as<std::string>());
}

}  // namespace orchestrate::cli
