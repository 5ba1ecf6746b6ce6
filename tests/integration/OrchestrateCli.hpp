#pragma once

// Helpers for integration tests that drive the real `orchestrate` binary on a throwaway project.

#include "process/ChildProcess.hpp"
#include "support/DockerTestSupport.hpp"
#include "support/TempDir.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace orchestrate::testing {

inline const std::filesystem::path k_source_dir = ORCHESTRATE_SOURCE_DIR;

struct CliRun
{
  int exit_code = -1;
  std::string output;  // stdout + stderr
};

// Runs `orchestrate <arguments>` to completion (bounded) from `working_directory`.
inline CliRun run_orchestrate(const std::vector<std::string>& arguments,
                              const std::filesystem::path& working_directory = k_source_dir,
                              const std::map<std::string, std::string>& environment = {},
                              Milliseconds timeout = Milliseconds(600'000))
{
  ProcessOptions options;
  options.argv = {ORCHESTRATE_BINARY};
  options.argv.insert(options.argv.end(), arguments.begin(), arguments.end());
  options.working_directory = working_directory;
  options.extra_environment = environment;
  options.extra_environment["NO_COLOR"] = "1";
  options.capture_output = true;
  const auto result = run_command(options, timeout);
  return {result.exit.exit_code, result.output};
}

inline void write_file(const std::filesystem::path& path, const std::string& text)
{
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A throwaway project in a temp dir, using the repository's test compose file and fixtures, with
// a unique project prefix so that its resources can be found (and checked gone) by label.
class ScratchProject
{
public:
  ScratchProject() : m_prefix("it-" + unique_test_id())
  {
    write_orchestrate_yaml((k_source_dir / "compose/docker-compose.test.yml").string());
    for (const auto* fixture : {"postgres", "redis"}) {
      std::filesystem::copy_file(k_source_dir / "fixtures" / (std::string(fixture) + ".yaml"),
                                 root() / "fixtures" / (std::string(fixture) + ".yaml"));
    }
  }

  // A copy of the repository's tests/projects/<name> (a project as another team writes it), with
  // its `project:` line replaced by the unique prefix.
  explicit ScratchProject(const std::string& name) : m_prefix("it-" + unique_test_id())
  {
    std::filesystem::copy(k_source_dir / "tests/projects" / name, root(),
                          std::filesystem::copy_options::recursive);
    std::ifstream in(root() / "orchestrate.yaml");
    std::string text;
    for (std::string line; std::getline(in, line);) {
      text += (line.rfind("project:", 0) == 0 ? "project: " + m_prefix : line) + "\n";
    }
    write_file(root() / "orchestrate.yaml", text);
  }

  const std::filesystem::path& root() const
  {
    return m_dir.path();
  }

  const std::string& prefix() const
  {
    return m_prefix;
  }

  // The label filter that matches everything this project's runs create.
  std::string label() const
  {
    return "io.orchestrate.project=" + m_prefix;
  }

  void write_orchestrate_yaml(const std::string& compose_file,
                              const std::string& readiness_timeout = "60s")
  {
    write_file(root() / "orchestrate.yaml",
               "project: " + m_prefix + "\n"
               "environments:\n"
               "  test: {compose_files: [" + compose_file + "]}\n"
               "defaults: {parallel: 2, readiness_timeout: " + readiness_timeout + "}\n");
    std::filesystem::create_directories(root() / "fixtures");
    std::filesystem::create_directories(root() / "suites");
  }

  void write(const std::string& relative_path, const std::string& text) const
  {
    write_file(root() / relative_path, text);
  }

  CliRun run(const std::vector<std::string>& arguments) const
  {
    std::vector<std::string> all{"-C", root().string()};
    all.insert(all.end(), arguments.begin(), arguments.end());
    return run_orchestrate(all);
  }

private:
  TempDir m_dir;
  std::string m_prefix;
};

}  // namespace orchestrate::testing
