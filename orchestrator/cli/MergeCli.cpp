// `orchestrate merge`: combines the JUnit XML and JSON reports of several CI machines (or runs)
// into one of each, and prints the merged summary.

#include "cli/CliSupport.hpp"
#include "cli/Commands.hpp"
#include "reporting/JunitXml.hpp"
#include "reporting/ProgressReporter.hpp"
#include "selection/ReportMerge.hpp"

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

namespace po = boost::program_options;

namespace orchestrate::cli {

namespace {

constexpr const char* k_merge_usage =
  R"(usage: orchestrate merge [--junit-xml OUT.xml] [--report-json OUT.json] REPORT...

Merges the reports of several CI machines (`--shard I/N`) or runs into one JUnit XML file and
one JSON report, and prints the summary. REPORTs are JUnit XML (.xml: orchestrate's, pytest's,
gtest's, ctest's) or orchestrate JSON reports (.json), in any mix, in the order the runs happened:
a test found in several reports counts once, with its last result (a rerun that passed marks it
flaky).

exit codes: 0 all passed, 1 tests failed (or a shard failed, or tests were left unrun),
            2/3/6/7 when an input run ended so, 4 usage error, 5 no tests in any report
)";

}  // namespace

int merge_command(const std::vector<std::string>& arguments)
{
  po::options_description described("options");
  int verbose = 0;
  described.add_options()
    ("help,h", "show this help")
    ("junit-xml", po::value<std::string>(), "write the merged JUnit XML report here")
    ("report-json", po::value<std::string>(), "write the merged JSON report here")
    ("verbose,v", po::value<int>(&verbose)->zero_tokens()->implicit_value(1), "more output");
  po::options_description hidden;
  hidden.add_options()("report", po::value<std::vector<std::string>>(), "input report");
  po::positional_options_description positional;
  positional.add("report", -1);

  const auto parsed = parse_command_line(arguments, k_merge_usage, described, hidden, positional);
  if (!parsed) {
    return 0;
  }
  const auto& values = *parsed;
  configure_logging(verbose);

  std::vector<std::filesystem::path> inputs;
  if (values.count("report") != 0) {
    for (const std::string& input : values["report"].as<std::vector<std::string>>()) {
      inputs.emplace_back(input);
    }
  }
  // Everything is read before anything is written, so an output may overwrite an input.
  const RunReport merged = merge_report_files(inputs);
  if (values.count("junit-xml") != 0) {
    write_junit_xml(values["junit-xml"].as<std::string>(), merged.tests, merged.wall_time);
  }
  if (values.count("report-json") != 0) {
    write_json_report(values["report-json"].as<std::string>(), merged);
  }

  // pytest's short test summary: one line per failure, then the closing line.
  for (const TestResult& test : merged.tests) {
    if (test.outcome == Outcome::k_failed || test.outcome == Outcome::k_error) {
      std::printf("%s %s%s%s\n", test.outcome == Outcome::k_failed ? "FAILED" : "ERROR",
                  test.id.c_str(), test.message.empty() ? "" : " - ", test.message.c_str());
    }
  }
  for (const ShardTiming& shard : merged.shards) {
    if (!shard.error.empty()) {
      std::printf("SHARD %d (%s) failed: %s\n", shard.shard, shard.project.c_str(),
                  shard.error.c_str());
    }
  }
  std::fflush(stdout);
  ProgressReporter(stdout, Verbosity::k_normal, use_color(stdout))
    .summary(merged.counts, merged.wall_time);
  return to_int(merged.exit_code);
}

}  // namespace orchestrate::cli
