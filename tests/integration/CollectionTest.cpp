// The central collection is bounded (collect_timeout) and interruptible: a module that hangs at
// import is named in the error, and Ctrl-C during the collection exits 2 with nothing left, not
// even the first shard's stack, which comes up while the tests are collected.

#include "OrchestrateCli.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <csignal>
#include <thread>

namespace orchestrate {
namespace {

using testing::ScratchProject;

bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

// A module that says it is being imported (a marker file) and then sleeps far longer than any
// test waits.
std::string hanging_module(const std::filesystem::path& marker)
{
  return "import time\n"
         "open(" + ("'" + marker.string() + "'") + ", 'w').write('importing')\n"
         "time.sleep(600)\n\n\n"
         "def test_never_collected():\n"
         "    pass\n";
}

bool wait_until(const std::function<bool()>& condition, std::chrono::seconds limit)
{
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(CollectionTest, AModuleThatHangsAtImportFailsTheCollectionNamingIt)
{
  ScratchProject project;
  project.write("suites/hang.yaml", "paths: [suites/hang]\ncollect_timeout: 3s\n");
  project.write("suites/hang/test_fine.py", "def test_fine():\n    pass\n");
  project.write("suites/hang/test_hangs.py", hanging_module(project.root() / "marker"));

  const auto started = std::chrono::steady_clock::now();
  const auto run = project.run({"--suite", "hang"});
  const auto took = std::chrono::steady_clock::now() - started;

  // Before: no collect_timeout; the collection waited 120 s, then failed with pytest's empty
  // output and no word of the module.
  EXPECT_EQ(run.exit_code, 4) << run.output;
  EXPECT_TRUE(contains(run.output, "within 3.00s (collect_timeout)")) << run.output;
  EXPECT_TRUE(contains(run.output, "suites/hang/test_hangs.py")) << run.output;
  EXPECT_LT(took, std::chrono::seconds(60)) << "the bound is the feature";
}

TEST(CollectionTest, CtrlCDuringTheCollectionExitsTwoAndLeavesNoStack)
{
  ScratchProject project;
  DockerCleanup safety_net(project.label());
  const auto marker = project.root() / "marker";
  project.write("suites/hang.yaml", "paths: [suites/hang]\nfixtures: [postgres]\n");
  project.write("suites/hang/test_hangs.py", hanging_module(marker));

  ProcessOptions options;
  options.argv = {ORCHESTRATE_BINARY, "-C", project.root().string(), "--suite", "hang"};
  options.capture_output = true;
  ChildProcess orchestrate(options);

  // The collection hangs in the module, and shard 1's stack comes up meanwhile.
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(marker); }, std::chrono::seconds(60)))
    << orchestrate.output();
  ASSERT_TRUE(wait_until([&] { return !leftovers_with_label(project.label()).containers.empty(); },
                         std::chrono::seconds(60)))
    << orchestrate.output();
  // The pytest plugin lives in the run's folder, so that not even a kill -9 leaves it elsewhere.
  bool plugin_in_run_folder = false;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(project.root() / ".orchestrate" / "runs")) {
    plugin_in_run_folder = plugin_in_run_folder ||
                           entry.path().filename() == "orchestrate_pytest_progress.py";
  }
  EXPECT_TRUE(plugin_in_run_folder);

  ::kill(orchestrate.pid(), SIGINT);
  const auto exit = orchestrate.wait(Milliseconds(90'000), false);

  // Before: exit 4, "pytest could not collect suite 'hang' (exit 143):" with nothing after it.
  EXPECT_FALSE(exit.timed_out) << orchestrate.output();
  EXPECT_EQ(exit.exit_code, 2) << orchestrate.output();
  EXPECT_TRUE(contains(orchestrate.output(), "interrupted (SIGINT) while collecting suite 'hang'"))
    << orchestrate.output();
  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

}  // namespace
}  // namespace orchestrate
