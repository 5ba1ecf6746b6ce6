// `orchestrate ... | head -1`: once the reader is gone, the run is interrupted and torn down like
// Ctrl-C (exit 2, nothing left) instead of dying of SIGPIPE with its stacks up.

#include "OrchestrateCli.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace orchestrate {
namespace {

using testing::ScratchProject;

constexpr const char* k_suite = R"PY(import os
import time


def test_one():
    assert os.environ["DATABASE_URL"]
    time.sleep(2)


def test_two():
    time.sleep(2)


def test_three():
    time.sleep(2)


def test_four():
    time.sleep(2)
)PY";

TEST(BrokenPipeTest, AClosedStdoutInterruptsTheRunWithFullTeardown)
{
  ScratchProject project;
  DockerCleanup safety_net(project.label());
  project.write("suites/slow.yaml", "paths: [suites/slow]\nfixtures: [postgres]\n");
  project.write("suites/slow/test_slow.py", k_suite);
  const auto status_file = project.root() / "status";

  // head reads the first line of the header and exits; orchestrate's next line hits a closed
  // pipe. bash for PIPESTATUS: orchestrate's own exit code, not head's.
  ProcessOptions options;
  options.argv = {"bash", "-c",
                  "\"$0\" -C \"$1\" --suite slow --parallel 1 --progress lines | head -1 "
                  ">/dev/null; echo \"${PIPESTATUS[0]}\" > \"$2\"",
                  ORCHESTRATE_BINARY, project.root().string(), status_file.string()};
  const auto result = run_command(options, Milliseconds(180'000));
  ASSERT_FALSE(result.exit.timed_out) << result.output;

  std::ifstream status(status_file);
  int exit_code = -1;
  status >> exit_code;
  // Before: 141 (killed by SIGPIPE in the middle of the run), the stack left to the reaper.
  EXPECT_EQ(exit_code, 2) << result.output;
  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

}  // namespace
}  // namespace orchestrate
