#include "OrchestrateCli.hpp"

#include <chrono>
#include <csignal>
#include <gtest/gtest.h>
#include <thread>

namespace orchestrate {
namespace {

using testing::ScratchProject;

// A test that announces it started (its pid in a marker file) and then runs far longer than the
// test will wait.
std::string slow_test(const std::filesystem::path& marker)
{
  return "import os, time\n\n\n"
         "def test_takes_forever():\n"
         "    assert os.environ['DATABASE_URL']\n"
         "    with open(" + ("'" + marker.string() + "'") + ", 'w') as f:\n"
         "        f.write(str(os.getpid()))\n"
         "    time.sleep(120)\n";
}

bool wait_for_file(const std::filesystem::path& path, std::chrono::seconds limit)
{
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(path) && std::filesystem::file_size(path) > 0) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool process_alive(int pid)
{
  // A zombie is gone for our purposes: this machine's PID 1 does not reap orphans.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  const auto close = text.rfind(')');
  return !text.empty() && close != std::string::npos && text.size() > close + 2 &&
         text[close + 2] != 'Z';
}

class SignalTest : public ::testing::TestWithParam<int>
{
};

TEST_P(SignalTest, SignalDuringTestsTearsEverythingDownAndExitsTwo)
{
  ScratchProject project;
  DockerCleanup safety_net(project.label());
  const auto marker = project.root() / "started.pid";
  project.write("suites/slow.yaml", "paths: [suites/slow]\nfixtures: [postgres]\n");
  project.write("suites/slow/test_slow.py", slow_test(marker));

  ProcessOptions options;
  options.argv = {ORCHESTRATE_BINARY, "-C", project.root().string(), "--suite", "slow"};
  options.capture_output = true;
  ChildProcess orchestrate(options);

  ASSERT_TRUE(wait_for_file(marker, std::chrono::seconds(120))) << orchestrate.output();
  std::ifstream marker_stream(marker);
  int test_pid = 0;
  marker_stream >> test_pid;
  ASSERT_GT(test_pid, 0);
  ASSERT_GT(leftovers_with_label(project.label()).containers.size(), 0u);

  // Like Ctrl-C in a terminal, the signal goes to orchestrate; its children live in their own
  // process groups and are stopped by orchestrate itself.
  ::kill(orchestrate.pid(), GetParam());
  const auto exit = orchestrate.wait(Milliseconds(60'000), false);

  EXPECT_FALSE(exit.timed_out) << orchestrate.output();
  EXPECT_EQ(exit.exit_code, 2) << orchestrate.output();
  EXPECT_FALSE(process_alive(test_pid)) << "the test process outlived the run";
  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

INSTANTIATE_TEST_SUITE_P(EachTerminatingSignal, SignalTest,
                         ::testing::Values(SIGINT, SIGTERM, SIGHUP),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGINT    ? "SIGINT"
                                              : info.param == SIGTERM ? "SIGTERM"
                                                                      : "SIGHUP");
                         });

}  // namespace
}  // namespace orchestrate
