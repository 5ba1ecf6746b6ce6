#include "run/RunFolders.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace orchestrate {
namespace {

namespace fs = std::filesystem;

class RunFoldersTest : public testing::Test
{
protected:
  // An earlier run's folder, last modified `hours_ago`, with a log in it.
  void old_folder(const std::string& name, int hours_ago)
  {
    fs::create_directories(m_runs / name);
    std::ofstream(m_runs / name / "shard-1.log") << "output\n";
    fs::last_write_time(m_runs / name, fs::file_time_type::clock::now() - std::chrono::hours(hours_ago));
  }

  std::vector<std::string> names() const
  {
    std::vector<std::string> result;
    for (const auto& entry : fs::directory_iterator(m_runs)) {
      result.push_back(entry.path().filename().string());
    }
    std::sort(result.begin(), result.end());
    return result;
  }

  TempDir m_temp;
  const fs::path m_runs = m_temp.path() / "runs";
};

TEST_F(RunFoldersTest, ANewRunKeepsTheNewestFoldersItselfIncludedAndRemovesTheRest)
{
  // Before: .orchestrate/runs grew by one folder per run, forever.
  old_folder("a-oldest", 50);
  old_folder("b", 40);
  old_folder("c", 30);
  old_folder("d-newest", 20);
  const auto folder = RunFolder::create(m_runs, "e-current", 3);
  EXPECT_EQ(folder.path(), m_runs / "e-current");
  EXPECT_EQ(names(), (std::vector<std::string>{"c", "d-newest", "e-current"}));
  EXPECT_TRUE(fs::exists(m_runs / "e-current" / "run.lock"));
}

TEST_F(RunFoldersTest, NeverRemovesTheFolderOfARunThatIsStillGoing)
{
  const auto running = RunFolder::create(m_runs, "a-running", 0);
  fs::last_write_time(running.path(), fs::file_time_type::clock::now() - std::chrono::hours(99));
  old_folder("b-finished", 50);
  const auto current = RunFolder::create(m_runs, "c-current", 1);
  EXPECT_EQ(names(), (std::vector<std::string>{"a-running", "c-current"}));
}

TEST_F(RunFoldersTest, AFinishedRunsFolderIsNoLongerInUse)
{
  { const auto finished = RunFolder::create(m_runs, "a-finished", 0); }
  fs::last_write_time(m_runs / "a-finished",
                      fs::file_time_type::clock::now() - std::chrono::hours(1));
  const auto current = RunFolder::create(m_runs, "b-current", 1);
  EXPECT_EQ(names(), (std::vector<std::string>{"b-current"}));
}

TEST_F(RunFoldersTest, KeepZeroPrunesNothingAndFilesAreLeftAlone)
{
  old_folder("a", 50);
  fs::create_directories(m_runs);
  std::ofstream(m_runs / "notes.txt") << "mine\n";
  { const auto folder = RunFolder::create(m_runs, "b", 0); }
  EXPECT_EQ(names(), (std::vector<std::string>{"a", "b", "notes.txt"}));
  EXPECT_EQ(prune_run_folders(m_runs, 1), std::vector<fs::path>{m_runs / "a"});
  EXPECT_EQ(names(), (std::vector<std::string>{"b", "notes.txt"}));
}

}  // namespace
}  // namespace orchestrate
