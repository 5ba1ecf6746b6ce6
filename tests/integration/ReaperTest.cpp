// The reaper against the real engine: a run that dies by kill -9 gets its resources removed, a
// released one keeps them, and one run id never gets two reapers. Resources carry a run id and
// a test label unique to the test, and are checked gone at the end.

#include "cleanup/Reaper.hpp"
#include "core/Error.hpp"
#include "docker/ResourceLabels.hpp"
#include "process/ChildProcess.hpp"
#include "process/Fd.hpp"
#include "process/ProcStat.hpp"
#include "support/DockerTestSupport.hpp"
#include "support/Eventually.hpp"
#include "support/TempDir.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace orchestrate {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* k_image = "orchestrate/busybox:latest";

ReaperLaunch test_launch()
{
  // The test binary has no `__reaper` subcommand: re-execute the real one.
  ReaperLaunch launch;
  launch.executable = ORCHESTRATE_BINARY;
  return launch;
}

std::string read_file(const std::filesystem::path& path)
{
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

class ReaperTest : public ::testing::Test
{
protected:
  const std::string m_id = unique_test_id();
  const std::string m_run_id = "r" + m_id;
  TempDir m_lock_dir;
  DockerCleanup m_cleanup{run_label()};

  std::string run_label() const
  {
    return label_filter(labels::k_run, m_run_id);
  }

  // A network, a volume and a running container on both, as a shard stack of the run has them.
  void create_run_resources() const
  {
    const std::vector<std::string> labelled{
      "--label", label_filter(labels::k_managed, "true"),
      "--label", run_label(),
      "--label", label_filter(labels::k_project, "it-" + m_id),
      "--label", label_filter(labels::k_environment, "test"),
      "--label", "io.orchestrate.test=" + m_id};
    auto with_labels = [&](std::vector<std::string> head, const std::vector<std::string>& tail) {
      head.insert(head.end(), labelled.begin(), labelled.end());
      head.insert(head.end(), tail.begin(), tail.end());
      return head;
    };
    run_docker(with_labels({"network", "create"}, {"net-" + m_id}));
    run_docker(with_labels({"volume", "create"}, {"vol-" + m_id}));
    run_docker(with_labels({"run", "-d", "--name", "db-" + m_id, "--network", "net-" + m_id,
                            "-v", "vol-" + m_id + ":/data"},
                           {k_image, "sleep", "600"}));
  }

  void TearDown() override
  {
    m_cleanup.remove_now();
    const auto left = leftovers_with_label(run_label());
    EXPECT_TRUE(left.empty()) << left.describe();
  }
};

// A stand-in for an orchestrator: a forked child that starts a reaper, creates the run's
// resources, reports the reaper's pid on `report`, then waits to be killed. Never returns.
[[noreturn]] void play_orchestrator(const std::string& run_id,
                                    const std::filesystem::path& lock_dir, Fd report,
                                    const std::function<void()>& create)
{
  try {
    auto guard = ReaperGuard::start(run_id, lock_dir, test_launch());
    create();
    const std::string line = std::to_string(guard.pid()) + "\n";
    [[maybe_unused]] auto written = ::write(report.get(), line.data(), line.size());
    report.close();
    while (true) {
      ::pause();
    }
  } catch (const std::exception& error) {
    std::cerr << "orchestrator stand-in failed: " << error.what() << "\n";
  }
  ::_exit(1);
}

// The reaper pid the stand-in reported, or 0 if it reported none within `timeout`.
int read_reported_pid(const Fd& report, Milliseconds timeout)
{
  std::string text;
  const auto deadline = Clock::now() + timeout;
  while (text.find('\n') == std::string::npos && Clock::now() < deadline) {
    pollfd entry{report.get(), POLLIN, 0};
    if (::poll(&entry, 1, 100) <= 0) {
      continue;
    }
    char buffer[32];
    ssize_t count = ::read(report.get(), buffer, sizeof(buffer));
    if (count <= 0) {
      break;
    }
    text.append(buffer, static_cast<std::size_t>(count));
  }
  return text.find('\n') == std::string::npos ? 0 : std::stoi(text);
}

TEST_F(ReaperTest, RemovesEverythingOfTheRunWithinTenSecondsOfKill9)
{
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  Fd report_read(fds[0]);
  Fd report_write(fds[1]);
  pid_t orchestrator = ::fork();
  ASSERT_GE(orchestrator, 0);
  if (orchestrator == 0) {
    report_read.close();
    play_orchestrator(m_run_id, m_lock_dir.path(), std::move(report_write),
                      [this] { create_run_resources(); });
  }
  report_write.close();
  const int reaper = read_reported_pid(report_read, Milliseconds(60'000));
  if (reaper == 0) {
    ::kill(orchestrator, SIGKILL);
    ::waitpid(orchestrator, nullptr, 0);
    FAIL() << "the orchestrator stand-in did not start a reaper and create its resources";
  }
  const auto before = leftovers_with_label(run_label());
  ASSERT_EQ(before.containers.size(), 1u) << before.describe();
  ASSERT_EQ(before.networks.size(), 1u) << before.describe();
  ASSERT_EQ(before.volumes.size(), 1u) << before.describe();
  // Its own session: a Ctrl-C to our terminal's process group does not reach it.
  EXPECT_EQ(::getsid(reaper), reaper);

  ASSERT_EQ(::kill(orchestrator, SIGKILL), 0);
  const auto killed = Clock::now();
  ASSERT_EQ(::waitpid(orchestrator, nullptr, 0), orchestrator);

  const bool all_gone =
    eventually([&] { return leftovers_with_label(run_label()).empty(); }, Milliseconds(10'000));
  const auto to_zero = std::chrono::duration_cast<Milliseconds>(Clock::now() - killed);
  EXPECT_TRUE(all_gone) << leftovers_with_label(run_label()).describe();
  std::cout << "kill -9 to zero leftovers: " << to_zero.count() << " ms\n";
  // It must not outlive its purpose (a zombie has exited: PID 1 here does not reap orphans).
  const bool reaper_gone =
    eventually([&] { return !process_is_running(reaper); }, Milliseconds(10'000));
  const auto to_exit = std::chrono::duration_cast<Milliseconds>(Clock::now() - killed);
  EXPECT_TRUE(reaper_gone);
  std::cout << "kill -9 to reaper exit: " << to_exit.count() << " ms\n";
  EXPECT_LT(to_exit, Milliseconds(10'000));

  const auto log = read_file(reaper_log_path(m_lock_dir.path(), m_run_id));
  EXPECT_NE(log.find("removed container db-" + m_id), std::string::npos) << log;
  EXPECT_NE(log.find("removed network net-" + m_id), std::string::npos) << log;
  EXPECT_NE(log.find("removed volume vol-" + m_id), std::string::npos) << log;
}

TEST_F(ReaperTest, ReleasedGuardLeavesTheRunsResourcesAlone)
{
  int reaper = 0;
  {
    auto guard = ReaperGuard::start(m_run_id, m_lock_dir.path(), test_launch());
    reaper = guard.pid();
    ASSERT_GT(reaper, 0);
    create_run_resources();
    guard.release();
    // Released, it exits at once, having touched nothing.
    EXPECT_TRUE(eventually([&] { return !process_is_running(reaper); }, Milliseconds(5'000)));
  }
  // The destructor reaped it: no zombie of ours is left.
  const auto stat = read_proc_stat(reaper);
  EXPECT_FALSE(stat && stat->parent_pid == ::getpid()) << "the reaper was left unreaped";
  std::this_thread::sleep_for(Milliseconds(1'500));
  const auto left = leftovers_with_label(run_label());
  EXPECT_EQ(left.containers.size(), 1u) << left.describe();
  EXPECT_EQ(left.networks.size(), 1u) << left.describe();
  EXPECT_EQ(left.volumes.size(), 1u) << left.describe();
  // A clean release leaves no files behind either.
  EXPECT_FALSE(std::filesystem::exists(reaper_log_path(m_lock_dir.path(), m_run_id)));
  EXPECT_FALSE(std::filesystem::exists(reaper_lock_path(m_lock_dir.path(), m_run_id)));
}

TEST_F(ReaperTest, GuardDestroyedWithoutReleaseHandsTheRunOverToTheReaper)
{
  // Nobody confirmed that the run left nothing: the reaper must make sure.
  {
    auto guard = ReaperGuard::start(m_run_id, m_lock_dir.path(), test_launch());
    create_run_resources();
  }
  EXPECT_TRUE(eventually([&] { return leftovers_with_label(run_label()).empty(); },
                         Milliseconds(10'000)))
    << leftovers_with_label(run_label()).describe();
}

TEST_F(ReaperTest, HandedOverReaperKeepsTryingAnEngineThatDoesNotAnswerThenGivesUp)
{
  TempDir run_dir;
  auto launch = test_launch();
  launch.docker_host = "unix://" + (run_dir.path() / "no-engine.sock").string();
  launch.log_file = run_dir.path() / "reaper.log";
  launch.give_up_after = Milliseconds(4'000);
  auto guard = ReaperGuard::start(m_run_id, m_lock_dir.path(), launch);
  const int reaper = guard.pid();
  const auto handed_over = Clock::now();
  guard.hand_over();
  EXPECT_EQ(guard.pid(), 0);

  // The bound is the feature: it tries for 4 s (pauses of 1, 2, ... s), then stops.
  EXPECT_TRUE(eventually([&] { return !process_is_running(reaper); }, Milliseconds(15'000)));
  EXPECT_GE(Clock::now() - handed_over, std::chrono::seconds(3));
  // Its parent is this test: reap the zombie.
  ::waitpid(reaper, nullptr, 0);
  const auto log = read_file(launch.log_file);
  EXPECT_NE(log.find("does not answer; trying again, less often each time, for up to 4s"),
            std::string::npos)
    << log;
  EXPECT_NE(log.find("gave up after 4s"), std::string::npos) << log;
  EXPECT_NE(log.find("`orchestrate cleanup` removes them"), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(reaper_log_path(m_lock_dir.path(), m_run_id)));
  EXPECT_FALSE(std::filesystem::exists(reaper_lock_path(m_lock_dir.path(), m_run_id)));
}

TEST_F(ReaperTest, SecondReaperForTheSameRunExitsAtOnce)
{
  auto first = ReaperGuard::start(m_run_id, m_lock_dir.path(), test_launch());

  const auto started = Clock::now();
  try {
    ReaperGuard::start(m_run_id, m_lock_dir.path(), test_launch());
    FAIL() << "a second reaper armed for the same run";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("another reaper already watches run " + m_run_id),
              std::string::npos)
      << error.what();
  }
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(3));
  EXPECT_TRUE(process_is_running(first.pid()));

  // Run directly, it exits with 6 (busy) without waiting on its stdin.
  ProcessOptions options;
  options.argv = {ORCHESTRATE_BINARY, "__reaper", "--run-id", m_run_id, "--lock-dir",
                  m_lock_dir.path().string()};
  const auto direct = run_command(options, Milliseconds(5'000));
  EXPECT_EQ(direct.exit.exit_code, 6);
  EXPECT_FALSE(direct.exit.timed_out);
}

TEST_F(ReaperTest, RejectsARunIdThatIsNotAFileName)
{
  EXPECT_THROW(ReaperGuard::start("../escape", m_lock_dir.path(), test_launch()), UsageError);
  EXPECT_THROW(ReaperGuard::start("", m_lock_dir.path(), test_launch()), UsageError);
}

}  // namespace
}  // namespace orchestrate
