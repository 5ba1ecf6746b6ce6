#include "validation/ReleaseValidation.hpp"

#include "config/ConfigLoader.hpp"
#include "docker/DockerEngine.hpp"
#include "docker/ResourceLabels.hpp"
#include "environments/EnvironmentStack.hpp"
#include "reporting/JsonReport.hpp"
#include "run/RunCommand.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

namespace orchestrate {

namespace {

// What one run of a suite left for the checklist to judge.
struct RunMeasurement
{
  std::string suite;
  ExitCode exit_code = ExitCode::k_internal_error;
  RunReport report;
  std::size_t leftovers = 0;
  bool dev_still_up = false;
};

std::size_t count_leftovers(DockerEngine& engine, const std::string& run_id)
{
  const std::vector<std::string> filter{label_filter(labels::k_run, run_id)};
  return engine.list_containers(filter).size() + engine.list_networks(filter).size() +
         engine.list_volumes(filter).size();
}

RunMeasurement measure_run(const ValidationOptions& options, const ProjectConfig& project,
                           const std::string& suite, int parallel, int index)
{
  RunOptions run;
  run.project_dir = options.project_dir;
  run.suite = suite;
  run.parallel = parallel;
  run.verbosity = Verbosity::k_quiet;
  run.report_json = project.state_dir / "validate" / (suite + "-" + std::to_string(index) + ".json");
  RunMeasurement measurement;
  measurement.suite = suite;
  measurement.exit_code = run_suite(run);
  measurement.report = read_json_report(run.report_json);
  DockerEngine engine;
  measurement.leftovers = count_leftovers(engine, measurement.report.run_id);
  measurement.dev_still_up = environment_status(project, options.dev_environment).is_up();
  return measurement;
}

Milliseconds slowest_ready(const RunReport& report)
{
  Milliseconds slowest(0);
  for (const auto& shard : report.shards) {
    slowest = std::max(slowest, shard.ready);
  }
  return slowest;
}

std::string seconds(Milliseconds duration)
{
  return format_seconds(duration);
}

nlohmann::json to_json(const ValidationReport& report)
{
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : report.rows) {
    rows.push_back({{"check", row.check},
                    {"measured", row.measured},
                    {"target", row.target},
                    {"result", row.passed ? "PASS" : "FAIL"}});
  }
  return {{"passed", report.passed()}, {"rows", rows}};
}

}  // namespace

bool ValidationReport::passed() const
{
  return !rows.empty() &&
         std::all_of(rows.begin(), rows.end(), [](const ValidationRow& row) { return row.passed; });
}

ValidationReport run_release_validation(const ValidationOptions& options)
{
  const auto project = load_project_config(std::filesystem::absolute(options.project_dir));
  const bool dev_was_up = environment_status(project, options.dev_environment).is_up();
  const auto dev = dev_was_up ? environment_status(project, options.dev_environment)
                              : environment_up(project, options.dev_environment,
                                               project.defaults.lock_timeout,
                                               project.defaults.readiness_timeout);

  std::vector<RunMeasurement> rounds;
  for (int round = 1; round <= options.rounds; ++round) {
    rounds.push_back(measure_run(options, project, options.suite, options.parallel, round));
  }
  std::vector<RunMeasurement> others;
  for (const auto& suite : list_suite_names(project)) {
    if (suite != options.suite) {
      others.push_back(measure_run(options, project, suite, project.defaults.parallel, 1));
    }
  }
  if (!dev_was_up) {
    environment_down(project, options.dev_environment, project.defaults.lock_timeout);
  }

  ValidationReport report;
  std::size_t leftovers = 0;
  std::uint64_t peak = 0;
  Milliseconds ready(0);
  int clean_rounds = 0;
  bool dev_up_throughout = dev.is_up();
  for (const auto* group : {&rounds, &others}) {
    for (const auto& run : *group) {
      leftovers += run.leftovers;
      peak = std::max(peak, run.report.peak_memory_bytes);
      ready = std::max(ready, slowest_ready(run.report));
      dev_up_throughout = dev_up_throughout && run.dev_still_up;
    }
  }
  for (const auto& run : rounds) {
    const bool all_shards = static_cast<int>(run.report.shards.size()) == options.parallel &&
                            std::none_of(run.report.shards.begin(), run.report.shards.end(),
                                         [](const ShardTiming& shard) { return !shard.error.empty(); });
    clean_rounds += run.exit_code == ExitCode::k_all_passed && all_shards ? 1 : 0;
  }
  int passing_suites = 0;
  std::string failing;
  Milliseconds total = rounds.empty() ? Milliseconds(0) : rounds.front().report.wall_time;
  const auto judge_suite = [&](const RunMeasurement& run) {
    if (run.exit_code == ExitCode::k_all_passed) {
      ++passing_suites;
    } else {
      failing += " " + run.suite + "(exit " + std::to_string(to_int(run.exit_code)) + ")";
    }
  };
  if (!rounds.empty()) {
    judge_suite(rounds.front());
  }
  for (const auto& run : others) {
    judge_suite(run);
    total += run.report.wall_time;
  }
  const int suites = static_cast<int>(others.size()) + (rounds.empty() ? 0 : 1);

  report.rows.push_back({"no orphaned containers, networks or volumes after the runs",
                         std::to_string(leftovers) + " left", "0", leftovers == 0});
  report.rows.push_back({"peak memory of the test environment", format_bytes(peak),
                         "< " + format_bytes(project.memory_budget_bytes),
                         peak < project.memory_budget_bytes});
  report.rows.push_back({"test environment ready (slowest stack)", seconds(ready),
                         "< " + seconds(options.ready_target),
                         ready < options.ready_target && ready.count() > 0});
  report.rows.push_back({std::to_string(options.parallel) + " parallel shards complete without a "
                         "crash, " + std::to_string(options.rounds) + " times",
                         std::to_string(clean_rounds) + "/" + std::to_string(options.rounds) +
                           " rounds clean",
                         std::to_string(options.rounds) + "/" + std::to_string(options.rounds),
                         clean_rounds == options.rounds});
  report.rows.push_back({"dev and test environments running at the same time",
                         dev_up_throughout ? "dev served during every run" : "dev went down",
                         "dev up throughout", dev_up_throughout});
  report.rows.push_back({"every suite passes against real services",
                         std::to_string(passing_suites) + "/" + std::to_string(suites) +
                           " suites passed" + failing,
                         std::to_string(suites) + "/" + std::to_string(suites),
                         passing_suites == suites});
  report.rows.push_back({"total suite time (every suite once)", seconds(total),
                         "< " + seconds(options.total_time_target),
                         total < options.total_time_target});

  const auto json_file = options.report_json.empty() ? project.state_dir / "validate.json"
                                                     : options.report_json;
  std::filesystem::create_directories(json_file.parent_path());
  std::ofstream(json_file) << to_json(report).dump(2) << "\n";
  return report;
}

std::string format_validation_table(const ValidationReport& report)
{
  std::size_t check_width = 5;
  std::size_t measured_width = 8;
  std::size_t target_width = 6;
  for (const auto& row : report.rows) {
    check_width = std::max(check_width, row.check.size());
    measured_width = std::max(measured_width, row.measured.size());
    target_width = std::max(target_width, row.target.size());
  }
  const auto cell = [](const std::string& text, std::size_t width) {
    return text + std::string(width - text.size(), ' ');
  };
  std::string table = cell("check", check_width) + " | " + cell("measured", measured_width) +
                      " | " + cell("target", target_width) + " | result\n";
  table += std::string(check_width, '-') + "-|-" + std::string(measured_width, '-') + "-|-" +
           std::string(target_width, '-') + "-|-------\n";
  for (const auto& row : report.rows) {
    table += cell(row.check, check_width) + " | " + cell(row.measured, measured_width) + " | " +
             cell(row.target, target_width) + " | " + (row.passed ? "PASS" : "FAIL") + "\n";
  }
  return table;
}

}  // namespace orchestrate
