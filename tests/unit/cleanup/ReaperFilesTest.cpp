#include "cleanup/Reaper.hpp"
#include "core/Error.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace orchestrate {
namespace {

// The reaper's lock and log live in lock_dir, which may be shared: a symlink planted at either
// path must never make a (root) run write into the file it points at.
class ReaperFilesTest : public testing::Test
{
protected:
  void SetUp() override
  {
    std::filesystem::create_directories(m_lock_dir);
    std::ofstream(m_victim) << "precious\n";
  }

  void TearDown() override
  {
    // run_reaper ignores these for the reaper process; give the test binary its defaults back.
    for (int signal_number : {SIGINT, SIGHUP, SIGPIPE}) {
      std::signal(signal_number, SIG_DFL);
    }
  }

  std::string victim_content() const
  {
    std::ifstream file(m_victim);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  }

  TempDir m_temp;
  const std::filesystem::path m_lock_dir = m_temp.path() / "locks";
  const std::filesystem::path m_victim = m_temp.path() / "victim.txt";
  const std::string m_run_id = "20260101-000000-unit";
};

TEST_F(ReaperFilesTest, StartRefusesASymlinkAtTheReaperLogAndLeavesItsTargetAlone)
{
  // Before: opened with O_CREAT | O_APPEND through the link.
  std::filesystem::create_symlink(m_victim, reaper_log_path(m_lock_dir, m_run_id));
  ReaperLaunch launch;
  launch.executable = "/nonexistent/orchestrate";  // never reached: the log is refused first
  try {
    ReaperGuard::start(m_run_id, m_lock_dir, launch);
    FAIL() << "a symlinked reaper log was accepted";
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("symbolic link"), std::string::npos) << error.what();
  }
  EXPECT_EQ(victim_content(), "precious\n");
}

TEST_F(ReaperFilesTest, TheReaperRefusesASymlinkAtItsLockFile)
{
  std::filesystem::create_symlink(m_victim, reaper_lock_path(m_lock_dir, m_run_id));
  EXPECT_THROW(run_reaper(m_run_id, m_lock_dir), UsageError);
  EXPECT_EQ(victim_content(), "precious\n");
  EXPECT_FALSE(std::filesystem::exists(reaper_log_path(m_lock_dir, m_run_id)));
}

TEST_F(ReaperFilesTest, TheReaperRefusesASymlinkAtItsLog)
{
  // Before: spdlog's file sink opened the path by name, following the link.
  std::filesystem::create_symlink(m_victim, reaper_log_path(m_lock_dir, m_run_id));
  EXPECT_THROW(run_reaper(m_run_id, m_lock_dir), UsageError);
  EXPECT_EQ(victim_content(), "precious\n");
}

}  // namespace
}  // namespace orchestrate
