#pragma once

#include "core/Quantities.hpp"
#include "process/ChildProcess.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// The `docker compose` command line for one project: `docker compose -p <project> -f <file>...`.
// Spawned with argv (never a shell string), in its own process group, output appended to a log.
class ComposeCli
{
public:
  // `engine_environment` points compose at the engine (DockerEngine::client_environment); empty:
  // the engine our own environment names.
  ComposeCli(std::string project_name, std::vector<std::filesystem::path> compose_files,
             std::filesystem::path log_file,
             std::map<std::string, std::string> engine_environment = {});

  const std::string& project_name() const;
  const std::vector<std::filesystem::path>& compose_files() const;

  // The argv of `docker compose -p P -f F... <arguments...>`.
  std::vector<std::string> command(const std::vector<std::string>& arguments) const;

  // Runs a compose subcommand to completion (bounded by `timeout`) and returns its exit and output.
  // Set `stop_on_interrupt` false for teardown, which must finish even after Ctrl-C.
  // Throws InternalError if docker cannot be started at all.
  CommandOutput run(const std::vector<std::string>& arguments, Milliseconds timeout,
                    bool stop_on_interrupt = true) const;

private:
  std::string m_project_name;
  std::vector<std::filesystem::path> m_compose_files;
  std::filesystem::path m_log_file;
  std::map<std::string, std::string> m_engine_environment;
};

}  // namespace orchestrate
