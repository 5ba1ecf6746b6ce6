#pragma once

#include "runners/TestRunner.hpp"

namespace orchestrate {

// A suite of named plain commands: each command is one test whose exit code is its outcome (0
// passes). Each runs from the project root in its own process group with the shard's
// environment; its output goes to the shard log and, on failure, into the report.
class CommandRunner : public TestRunner
{
public:
  CommandRunner(const ProjectConfig& project, const SuiteConfig& suite);

  std::vector<std::string> collect() override;
  BatchOutcome run_batch(const BatchRequest& request) override;

private:
  const NamedCommand& find_command(const std::string& name) const;

  const ProjectConfig& m_project;
  const SuiteConfig& m_suite;
};

}  // namespace orchestrate
