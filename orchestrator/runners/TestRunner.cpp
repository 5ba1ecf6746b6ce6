#include "runners/TestRunner.hpp"

#include "core/Error.hpp"
#include "process/SignalState.hpp"
#include "runners/CommandRunner.hpp"
#include "runners/GtestRunner.hpp"
#include "runners/PytestRunner.hpp"

#include <fstream>
#include <set>

namespace orchestrate {

std::unique_ptr<TestRunner> make_test_runner(const ProjectConfig& project, const SuiteConfig& suite,
                                             const std::filesystem::path& scratch_dir)
{
  if (suite.runner == "pytest") {
    return std::make_unique<PytestRunner>(project, suite, scratch_dir);
  }
  if (suite.runner == "gtest") {
    return std::make_unique<GtestRunner>(project, suite);
  }
  if (suite.runner == "command") {
    return std::make_unique<CommandRunner>(project, suite);
  }
  throw UsageError(suite.source_path.string() + ": runner '" + suite.runner +
                   "' is not available; expected pytest, gtest or command");
}

void add_missing_results(const std::vector<std::string>& requested, const std::string& cause,
                         std::vector<TestResult>& reported)
{
  std::set<std::string> seen;
  for (const auto& result : reported) {
    seen.insert(result.id);
  }
  for (const auto& id : requested) {
    if (seen.count(id) == 0) {
      TestResult missing;
      missing.id = id;
      missing.name = id;
      missing.outcome = Outcome::k_error;
      missing.message = cause;
      reported.push_back(std::move(missing));
    }
  }
}

Milliseconds collect_timeout(const ProjectConfig& project, const SuiteConfig& suite)
{
  return suite.collect_timeout.count() > 0 ? suite.collect_timeout
                                           : project.defaults.collect_timeout;
}

void throw_if_collection_cut_short(const ProcessExit& exit, const SuiteConfig& suite,
                                   Milliseconds timeout, const std::string& where)
{
  if (exit.interrupted && interrupt_count() > 0) {
    throw InterruptedError("interrupted (" + describe_interrupt() +
                           ") while collecting suite '" + suite.name + "'");
  }
  if (exit.timed_out) {
    throw UsageError("collecting suite '" + suite.name + "' did not finish within " +
                     format_seconds(timeout) + " (collect_timeout)" +
                     (where.empty() ? std::string() : "; it was still collecting " + where) +
                     ". A module that hangs at import (a sleep, a connection to a service "
                     "that is not there)? Raise collect_timeout in the suite or orchestrate.yaml "
                     "if collecting really takes that long");
  }
}

std::string crash_message(const std::string& program, const ProcessExit& exit)
{
  return "crashed: " + (exit.signal != 0 ? describe_signal(exit.signal)
                                         : describe_exit(program, exit) + " during this test");
}

void note_in_log(const std::filesystem::path& log_file, const std::string& note)
{
  std::ofstream(log_file, std::ios::app) << "\norchestrate: " << note << "\n";
}

}  // namespace orchestrate
