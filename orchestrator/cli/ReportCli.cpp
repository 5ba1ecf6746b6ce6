// `orchestrate report RUN_DIR`: renders a past run from its folder (.orchestrate/runs/<run id>/)
// as the run itself would have: --html, --trace; prints the run's summary.

#include "cli/CliSupport.hpp"
#include "cli/Commands.hpp"
#include "core/Error.hpp"
#include "reporting/ProgressReporter.hpp"
#include "reporting/RunViews.hpp"

#include <boost/program_options.hpp>
#include <cstdio>

namespace po = boost::program_options;

namespace orchestrate::cli {

namespace {

constexpr const char* k_report_usage =
  R"(usage: orchestrate report RUN_DIR [--html FILE] [--trace FILE]

Renders a past run from its folder: every run keeps its report and timeline in
.orchestrate/runs/<run id>/ (the folder a run prints at its start). --html writes the same
self-contained page as `orchestrate run --html`, --trace the same Chrome trace events as
`orchestrate run --trace`. Prints the run's summary line.

exit codes: 0 written, 3 a file could not be read or written, 4 usage error (not a run folder)
)";

}  // namespace

int report_command(const std::vector<std::string>& arguments)
{
  po::options_description described("options");
  int verbose = 0;
  described.add_options()
    ("help,h", "show this help")
    ("html", po::value<std::string>(), "write the run's self-contained HTML report here")
    ("trace", po::value<std::string>(), "write the run's Chrome trace events here")
    ("verbose,v", po::value<int>(&verbose)->zero_tokens()->implicit_value(1), "more output");
  po::options_description hidden;
  hidden.add_options()("run-dir", po::value<std::vector<std::string>>(), "run folder");
  po::positional_options_description positional;
  positional.add("run-dir", -1);

  const auto parsed = parse_command_line(arguments, k_report_usage, described, hidden, positional);
  if (!parsed) {
    return 0;
  }
  const auto& values = *parsed;
  configure_logging(verbose);
  const auto run_dirs = values.count("run-dir") != 0
                         ? values["run-dir"].as<std::vector<std::string>>()
                         : std::vector<std::string>();
  if (run_dirs.size() != 1) {
    throw UsageError("report takes one RUN_DIR (see orchestrate report --help)");
  }

  const RunRecord record = load_run_record(run_dirs.front());
  RunViewFiles files;
  if (values.count("html") != 0) {
    files.html = values["html"].as<std::string>();
  }
  if (values.count("trace") != 0) {
    files.trace = values["trace"].as<std::string>();
  }
  write_run_views(record, files);
  std::printf("run %s of suite %s\n", record.report.run_id.c_str(),
              record.report.suite.c_str());
  std::fflush(stdout);
  ProgressReporter(stdout, Verbosity::k_normal, use_color(stdout))
    .summary(record.report.counts, record.report.wall_time);
  return 0;
}

}  // namespace orchestrate::cli
