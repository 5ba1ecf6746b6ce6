#include "docker/ComposeCli.hpp"

namespace orchestrate {

ComposeCli::ComposeCli(std::string project_name, std::vector<std::filesystem::path> compose_files,
                       std::filesystem::path log_file,
                       std::map<std::string, std::string> engine_environment)
  : m_project_name(std::move(project_name)),
    m_compose_files(std::move(compose_files)),
    m_log_file(std::move(log_file)),
    m_engine_environment(std::move(engine_environment))
{
}

const std::string& ComposeCli::project_name() const
{
  return m_project_name;
}

const std::vector<std::filesystem::path>& ComposeCli::compose_files() const
{
  return m_compose_files;
}

std::vector<std::string> ComposeCli::command(const std::vector<std::string>& arguments) const
{
  std::vector<std::string> argv{"docker", "compose", "-p", m_project_name};
  for (const auto& file : m_compose_files) {
    argv.push_back("-f");
    argv.push_back(file.string());
  }
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return argv;
}

CommandOutput ComposeCli::run(const std::vector<std::string>& arguments, Milliseconds timeout,
                              bool stop_on_interrupt) const
{
  ProcessOptions options;
  options.argv = command(arguments);
  options.output_file = m_log_file;
  options.capture_output = true;
  options.extra_environment = m_engine_environment;
  // Compose's progress output is for terminals; plain keeps the log readable.
  options.extra_environment["COMPOSE_PROGRESS"] = "plain";
  options.extra_environment["COMPOSE_ANSI"] = "never";
  ChildProcess process(options);
  CommandOutput result;
  result.exit = process.wait(timeout, stop_on_interrupt);
  result.output = process.output();
  return result;
}

}  // namespace orchestrate
