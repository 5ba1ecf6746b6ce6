#include "cli/RunSelectionCli.hpp"

#include "core/Error.hpp"

namespace po = boost::program_options;

namespace orchestrate::cli {

void describe_selection_options(po::options_description& described, po::options_description& hidden,
                                po::positional_options_description& positional)
{
  described.add_options()
    ("markers,m", po::value<std::string>(),
     "only tests matching the marker expression (pytest's -m; pytest suites)")
    ("collect-only,co", po::bool_switch(),
     "--co: print the ids of the selected tests, one per line, and run nothing")
    ("durations", po::value<int>(),
     "show the N slowest tests (0: all) and each shard's stack up, ready, tests, teardown")
    ("color", po::value<std::string>()->default_value("auto"),
     "yes, no or auto (a terminal; NO_COLOR turns it off, FORCE_COLOR on)")
    ("repeat", po::value<std::string>(),
     "run each test N times (N), until it fails (until-fail:N) or passes (until-pass:N), then "
     "show each test's pass/fail counts");
  hidden.add_options()("tests", po::value<std::vector<std::string>>()->composing(),
                       "test ids and paths");
  positional.add("tests", -1);
}

void read_selection_options(const po::variables_map& values, RunOptions& options)
{
  if (values.count("tests") != 0) {
    options.test_selectors = values["tests"].as<std::vector<std::string>>();
  }
  if (values.count("markers") != 0) {
    options.marker_expression = values["markers"].as<std::string>();
  }
  options.collect_only = values["collect-only"].as<bool>();
  if (values.count("durations") != 0) {
    options.durations = values["durations"].as<int>();
    if (*options.durations < 0) {
      throw UsageError("--durations must be 0 (all) or more");
    }
  }
  options.color = parse_color_choice(values["color"].as<std::string>());
  if (values.count("repeat") != 0) {
    options.repeat = parse_repeat_plan(values["repeat"].as<std::string>());
    if (options.reruns > 0) {
      throw UsageError("--repeat and --reruns do not mix: --repeat until-pass:N is the rerun "
                       "that counts every run");
    }
  }
}

}  // namespace orchestrate::cli
