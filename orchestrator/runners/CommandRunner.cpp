#include "runners/CommandRunner.hpp"

#include "core/Error.hpp"
#include "process/SignalState.hpp"

#include <chrono>

namespace orchestrate {

namespace {

constexpr std::size_t k_max_details = 8000;  // keep reports readable; the log has everything

std::string tail_of(const std::string& text)
{
  return text.size() <= k_max_details ? text : "..." + text.substr(text.size() - k_max_details);
}

}  // namespace

CommandRunner::CommandRunner(const ProjectConfig& project, const SuiteConfig& suite)
  : m_project(project),
    m_suite(suite)
{
}

std::vector<std::string> CommandRunner::collect()
{
  std::vector<std::string> names;
  for (const auto& command : m_suite.commands) {
    names.push_back(command.name);
  }
  return names;
}

const NamedCommand& CommandRunner::find_command(const std::string& name) const
{
  for (const auto& command : m_suite.commands) {
    if (command.name == name) {
      return command;
    }
  }
  throw InternalError("suite " + m_suite.name + " has no command named '" + name + "'");
}

BatchOutcome CommandRunner::run_batch(const BatchRequest& request)
{
  BatchOutcome outcome;
  for (const auto& name : request.test_ids) {
    if (should_stop_children()) {
      break;  // the rest of the batch did not run (-x, Ctrl-C): "interrupted" below
    }
    const auto& command = find_command(name);
    ProcessOptions options;
    options.argv = command.argv;
    options.working_directory = m_project.root;
    options.extra_environment = request.environment;
    options.output_file = request.log_file;
    options.capture_output = true;

    TestResult result;
    result.id = name;
    result.classname = m_suite.name;
    result.name = name;
    const auto started = std::chrono::steady_clock::now();
    if (request.on_test_started) {
      request.on_test_started(name, std::chrono::system_clock::now());
    }
    try {
      ProcessWatcher process(options);
      if (request.per_test_timeout) {
        process.arm_deadline(*request.per_test_timeout,
                             "timeout after " + format_seconds(*request.per_test_timeout));
      }
      const auto ending = process.wait();
      const auto& exit = ending.exit;
      if (exit.interrupted) {
        outcome.exit = exit;
        break;  // stopped, not failed: it gets the "interrupted" result below
      }
      result.duration = std::chrono::duration_cast<Milliseconds>(
        std::chrono::steady_clock::now() - started);
      if (exit.succeeded()) {
        result.outcome = Outcome::k_passed;
      } else {
        result.outcome = Outcome::k_failed;
        result.message = ending.stopped()   ? ending.reason
                         : exit.signal != 0 ? describe_signal(exit.signal)
                                            : "exit code " + std::to_string(exit.exit_code);
        result.details = result.message + "\n" + tail_of(process.output());
      }
      outcome.exit = exit;
    } catch (const Error& error) {
      result.outcome = Outcome::k_error;
      result.message = error.what();
    }
    if (request.on_test_finished) {
      request.on_test_finished(name, result.outcome != Outcome::k_passed);
    }
    outcome.results.push_back(std::move(result));
  }
  add_missing_results(request.test_ids, "interrupted", outcome.results);
  return outcome;
}

}  // namespace orchestrate
