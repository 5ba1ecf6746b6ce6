#include "runners/PytestRunner.hpp"

#include "core/Error.hpp"
#include "reporting/JunitXml.hpp"

#include <sstream>

namespace orchestrate {

namespace {

constexpr int k_pytest_no_tests_collected = 5;

}  // namespace

PytestRunner::PytestRunner(const ProjectConfig& project, const SuiteConfig& suite)
  : m_project(project),
    m_suite(suite)
{
}

std::vector<std::string> PytestRunner::base_command() const
{
  // No cache provider: parallel shards would race on .pytest_cache, and --lf is ours to implement.
  return {m_project.python, "-m", "pytest", "-p", "no:cacheprovider",
          "--rootdir=" + m_project.root.string()};
}

std::vector<std::string> PytestRunner::collect()
{
  ProcessOptions options;
  options.argv = base_command();
  options.argv.insert(options.argv.end(), {"--collect-only", "-q"});
  options.argv.insert(options.argv.end(), m_suite.args.begin(), m_suite.args.end());
  options.argv.insert(options.argv.end(), m_suite.paths.begin(), m_suite.paths.end());
  options.working_directory = m_project.root;
  const auto result = run_command(options, Milliseconds(120'000));
  if (result.exit.exit_code == k_pytest_no_tests_collected) {
    return {};
  }
  if (!result.exit.succeeded()) {
    throw UsageError("pytest could not collect suite '" + m_suite.name + "' (exit " +
                     std::to_string(result.exit.exit_code) + "):\n" + result.output);
  }
  return parse_pytest_collect_output(result.output);
}

BatchOutcome PytestRunner::run_batch(const BatchRequest& request)
{
  const auto junit_file = request.work_dir / "junit.xml";
  std::error_code ignored;
  std::filesystem::remove(junit_file, ignored);

  ProcessOptions options;
  options.argv = base_command();
  options.argv.insert(options.argv.end(),
                      {"-q", "-rN", "--junitxml=" + junit_file.string(), "-o", "junit_family=xunit2"});
  options.argv.insert(options.argv.end(), m_suite.args.begin(), m_suite.args.end());
  options.argv.insert(options.argv.end(), request.test_ids.begin(), request.test_ids.end());
  options.working_directory = m_project.root;
  options.extra_environment = request.environment;
  options.output_file = request.log_file;

  ChildProcess process(options);
  BatchOutcome outcome;
  outcome.exit = process.wait(request.timeout);

  if (std::filesystem::exists(junit_file)) {
    try {
      outcome.results = read_junit_xml(junit_file);
    } catch (const Error&) {
      // A process killed while writing leaves a truncated file: treated as no results below.
    }
  }
  std::string cause = "pytest exited with code " + std::to_string(outcome.exit.exit_code) +
                      " before reporting this test";
  if (outcome.exit.timed_out) {
    cause = "timeout: the batch was killed after " + format_seconds(*request.timeout);
  } else if (outcome.exit.interrupted) {
    cause = "interrupted";
  } else if (outcome.exit.signal != 0) {
    cause = "pytest was killed by signal " + std::to_string(outcome.exit.signal);
  }
  add_missing_results(request.test_ids, cause, outcome.results);
  return outcome;
}

std::vector<std::string> parse_pytest_collect_output(const std::string& output)
{
  std::vector<std::string> ids;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) {
      if (!ids.empty()) {
        break;  // the blank line before "N tests collected"
      }
      continue;
    }
    if (line.find("::") != std::string::npos && line.front() != ' ' && line.front() != '=') {
      ids.push_back(line);
    }
  }
  return ids;
}

}  // namespace orchestrate
