// `orchestrate validate`: the release validation checklist, measured, as a PASS/FAIL table.

#include "cli/CliSupport.hpp"
#include "cli/Commands.hpp"
#include "core/ExitCode.hpp"
#include "process/SignalState.hpp"
#include "validation/ReleaseValidation.hpp"

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

namespace po = boost::program_options;

namespace orchestrate::cli {

int validate_command(const std::vector<std::string>& arguments)
{
  po::options_description described(
    "usage: orchestrate validate [options]\n\n"
    "Runs the release validation checklist on the bundled suites against real services and\n"
    "prints the measured value, the target and PASS or FAIL for each row. Exit 0 only if every\n"
    "row passes (1 otherwise).\n\noptions");
  int verbose = 0;
  ValidationOptions options;
  std::string report_json;
  described.add_options()
    ("help,h", "show this help")
    ("project-dir,C", po::value<std::string>(),
     "folder holding orchestrate.yaml (default: the nearest in this folder or above)")
    ("suite", po::value(&options.suite)->default_value("integration"),
     "suite of the parallel rounds")
    ("parallel,n", po::value(&options.parallel)->default_value(10), "shards per round")
    ("rounds", po::value(&options.rounds)->default_value(3), "parallel rounds")
    ("report-json", po::value(&report_json), "write the rows here (default .orchestrate/validate.json)")
    ("verbose,v", po::value<int>(&verbose)->zero_tokens()->implicit_value(1), "more output");
  const auto parsed = parse_command_line(arguments, "", described);
  if (!parsed) {
    return 0;
  }
  configure_logging(verbose);
  options.project_dir = project_dir_option(*parsed);
  options.report_json = report_json;
  install_signal_handlers();
  const auto report = run_release_validation(options);
  std::printf("\nrelease validation checklist\n\n%s", format_validation_table(report).c_str());
  std::printf("\n%s\n", report.passed() ? "validation PASSED" : "validation FAILED");
  return to_int(report.passed() ? ExitCode::k_all_passed : ExitCode::k_tests_failed);
}

}  // namespace orchestrate::cli
