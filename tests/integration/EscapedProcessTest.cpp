// Processes a test starts that leave its process group (a new session, a double fork with
// setsid) end with the run: the group kill alone misses them.

#include "OrchestrateCli.hpp"
#include "process/ProcStat.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

namespace orchestrate {
namespace {

using testing::ScratchProject;

// Each test starts a `sleep 300` that leaves pytest's process group and writes its pid to a file
// in the folder named by PID_DIR; pytest then goes on and exits, the sleeps would outlive it.
constexpr const char* k_suite = R"PY(import os
import subprocess


def write_pid(name, pid):
    with open(os.path.join(os.environ["PID_DIR"], name), "w") as out:
        out.write(str(pid))


def test_popen_new_session():
    child = subprocess.Popen(["sleep", "300"], start_new_session=True)
    write_pid("popen.pid", child.pid)


def test_double_fork_with_setsid():
    first = os.fork()
    if first == 0:
        os.setsid()
        if os.fork() == 0:
            write_pid("daemon.pid", os.getpid())
            os.execvp("sleep", ["sleep", "300"])
        os._exit(0)
    os.waitpid(first, 0)
)PY";

int read_pid(const std::filesystem::path& file)
{
  std::ifstream in(file);
  int pid = 0;
  in >> pid;
  return pid;
}

TEST(EscapedProcessTest, ProcessesThatLeftTheProcessGroupEndWithTheRun)
{
  ScratchProject project;
  project.write("suites/escapes.yaml", "paths: [suites/escapes]\n");
  project.write("suites/escapes/test_escapes.py", k_suite);
  const auto pid_dir = project.root() / "pids";
  std::filesystem::create_directories(pid_dir);

  const auto run = testing::run_orchestrate(
    {"-C", project.root().string(), "--suite", "escapes", "--parallel", "1"},
    testing::k_source_dir, {{"PID_DIR", pid_dir.string()}});

  ASSERT_EQ(run.exit_code, 0) << run.output;
  const int popen = read_pid(pid_dir / "popen.pid");
  const int daemon = read_pid(pid_dir / "daemon.pid");
  ASSERT_GT(popen, 0) << run.output;
  ASSERT_GT(daemon, 0) << run.output;
  // Before: both sleeps were still running after the run (orchestrate only killed pytest's group).
  const bool popen_alive = process_is_running(popen);
  const bool daemon_alive = process_is_running(daemon);
  ::kill(popen, SIGKILL);  // leave nothing behind even when the test fails
  ::kill(daemon, SIGKILL);
  EXPECT_FALSE(popen_alive) << "Popen(start_new_session=True) outlived the run: pid " << popen;
  EXPECT_FALSE(daemon_alive) << "the setsid double-fork daemon outlived the run: pid " << daemon;
}

}  // namespace
}  // namespace orchestrate
