#include "config/ProjectDiscovery.hpp"

#include "support/TempDir.hpp"

#include <fstream>
#include <gtest/gtest.h>

namespace orchestrate {
namespace {

namespace fs = std::filesystem;

TEST(ProjectDiscoveryTest, FindsTheFileInTheStartFolder)
{
  TempDir dir;
  std::ofstream(dir.path() / "orchestrate.yaml") << "project: p\n";
  EXPECT_EQ(find_project_root(dir.path()), dir.path());
}

TEST(ProjectDiscoveryTest, WalksUpToTheNearestFolderHoldingTheFile)
{
  TempDir dir;
  std::ofstream(dir.path() / "orchestrate.yaml") << "project: outer\n";
  fs::create_directories(dir.path() / "inner/deep/deeper");
  std::ofstream(dir.path() / "inner/orchestrate.yaml") << "project: inner\n";
  EXPECT_EQ(find_project_root(dir.path() / "inner/deep/deeper"), dir.path() / "inner");
  EXPECT_EQ(find_project_root(dir.path() / "inner/deep/deeper/"), dir.path() / "inner");
}

TEST(ProjectDiscoveryTest, IgnoresAFolderNamedLikeTheFile)
{
  TempDir dir;
  fs::create_directories(dir.path() / "sub/orchestrate.yaml");
  std::ofstream(dir.path() / "orchestrate.yaml") << "project: p\n";
  EXPECT_EQ(find_project_root(dir.path() / "sub"), dir.path());
}

TEST(ProjectDiscoveryTest, GivesNothingWhenNoFolderUpToTheRootHasIt)
{
  TempDir dir;
  fs::create_directories(dir.path() / "a/b");
  // The temp dir's parents (/tmp, /) hold no orchestrate.yaml on a sane machine.
  ASSERT_FALSE(fs::exists(dir.path().parent_path() / "orchestrate.yaml"));
  ASSERT_FALSE(fs::exists("/orchestrate.yaml"));
  EXPECT_EQ(find_project_root(dir.path() / "a/b"), std::nullopt);
}

}  // namespace
}  // namespace orchestrate
