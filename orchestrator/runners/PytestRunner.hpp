#pragma once

#include "runners/TestRunner.hpp"

namespace orchestrate {

// Runs pytest with the project's interpreter (Debian's /usr/bin/python3 by default), from the
// project root with `--rootdir` there, so node ids are stable paths relative to the root.
// Collection: `pytest --collect-only -q`. Batches: pytest with explicit node ids and
// `--junitxml`, whose per-test results are read back.
class PytestRunner : public TestRunner
{
public:
  PytestRunner(const ProjectConfig& project, const SuiteConfig& suite);

  std::vector<std::string> collect() override;
  BatchOutcome run_batch(const BatchRequest& request) override;

private:
  std::vector<std::string> base_command() const;

  const ProjectConfig& m_project;
  const SuiteConfig& m_suite;
};

// The node ids in the output of `pytest --collect-only -q` (lines before the summary).
std::vector<std::string> parse_pytest_collect_output(const std::string& output);

}  // namespace orchestrate
