#include "OrchestrateCli.hpp"

#include <chrono>
#include <csignal>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <thread>

namespace orchestrate {
namespace {

using testing::ScratchProject;
using Clock = std::chrono::steady_clock;

// `orchestrate -v` on a scratch project, killed with SIGKILL at a chosen moment: no destructor
// runs, so only the reaper (and the kernel, for child processes) can clean up.
class KillTest : public ::testing::Test
{
protected:
  KillTest()
  {
    project.write("suites/slow.yaml", "paths: [suites/slow]\nfixtures: [postgres, redis]\n");
    project.write("suites/slow/test_slow.py",
                  "import time\n\n\ndef test_slow():\n"
                  "    print('TEST-STARTED', flush=True)\n"
                  "    time.sleep(60)\n");
    project.write("suites/quick.yaml", "paths: [suites/quick]\nfixtures: [postgres, redis]\n");
    project.write("suites/quick/test_quick.py", "def test_quick():\n    assert True\n");
  }

  ChildProcess start(const std::string& suite)
  {
    ProcessOptions options;
    options.argv = {ORCHESTRATE_BINARY, "-v", "-C", project.root().string(), "--suite",
                    suite};
    options.output_file = project.root() / "orchestrate.out";
    return ChildProcess(options);
  }

  std::string output() const
  {
    std::ifstream in(project.root() / "orchestrate.out");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Waits until `ready()` holds (polling), failing the test after `limit`.
  template <typename Condition>
  bool wait_until(Condition ready, std::chrono::seconds limit)
  {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (ready()) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Kills orchestrate outright and returns how long it took until nothing of the project was left.
  Milliseconds kill_and_measure_cleanup(ChildProcess& orchestrate)
  {
    ::kill(orchestrate.pid(), SIGKILL);
    const auto killed = Clock::now();
    orchestrate.wait(Milliseconds(10'000), false);
    const bool cleaned = wait_until(
      [&] { return leftovers_with_label(project.label()).empty(); }, std::chrono::seconds(30));
    const auto elapsed = std::chrono::duration_cast<Milliseconds>(Clock::now() - killed);
    EXPECT_TRUE(cleaned) << leftovers_with_label(project.label()).describe() << "\n" << output();
    // The feature: within 10 s of the kill nothing of the run remains.
    EXPECT_LT(elapsed, Milliseconds(10'000)) << output();
    std::printf("kill -9 to zero leftovers: %s\n", format_seconds(elapsed).c_str());
    return elapsed;
  }

  ScratchProject project;
  DockerCleanup safety_net{project.label()};
};

TEST_F(KillTest, KilledDuringUpLeavesNothingWithinTenSeconds)
{
  auto orchestrate = start("slow");
  ASSERT_TRUE(wait_until(
    [&] { return !leftovers_with_label(project.label()).containers.empty(); },
    std::chrono::seconds(120)))
    << output();
  kill_and_measure_cleanup(orchestrate);
}

TEST_F(KillTest, KilledDuringTestsLeavesNothingWithinTenSeconds)
{
  auto orchestrate = start("slow");
  ASSERT_TRUE(wait_until([&] { return output().find("TEST-STARTED") != std::string::npos ||
                                      std::filesystem::exists(project.root() / ".orchestrate"); },
                         std::chrono::seconds(120)));
  // The test prints into the shard log, not our output: wait for it there.
  ASSERT_TRUE(wait_until(
    [&] {
      for (const auto& entry :
           std::filesystem::recursive_directory_iterator(project.root() / ".orchestrate")) {
        if (entry.path().filename() == "tests.log") {
          std::ifstream log(entry.path());
          std::stringstream text;
          text << log.rdbuf();
          if (text.str().find("TEST-STARTED") != std::string::npos) {
            return true;
          }
        }
      }
      return false;
    },
    std::chrono::seconds(120)))
    << output();
  kill_and_measure_cleanup(orchestrate);
}

TEST_F(KillTest, KilledDuringTeardownLeavesNothingWithinTenSeconds)
{
  auto orchestrate = start("quick");
  // -v logs the start of each stack's teardown.
  ASSERT_TRUE(wait_until([&] { return output().find(": tearing down") != std::string::npos; },
                         std::chrono::seconds(180)))
    << output();
  kill_and_measure_cleanup(orchestrate);
}

}  // namespace
}  // namespace orchestrate
