#include "core/Error.hpp"
#include "core/OwnedFile.hpp"
#include "support/TempDir.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace orchestrate {
namespace {

std::string refusal(const std::filesystem::path& path, int flags)
{
  try {
    open_owned_file(path, flags, "test file");
  } catch (const UsageError& error) {
    return error.what();
  }
  return "accepted";
}

TEST(OwnedFileTest, CreatesAMissingFileWithTheGivenModeAndOpensOurOwn)
{
  TempDir dir;
  const auto path = dir.path() / "state.lock";
  Fd created = open_owned_file(path, O_RDWR | O_CREAT, "test file", 0600);
  ASSERT_TRUE(created);
  struct stat status{};
  ASSERT_EQ(::fstat(created.get(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);  // 0600 survives any usual umask
  EXPECT_TRUE(open_owned_file(path, O_RDWR, "test file"));
  EXPECT_NE(::fcntl(created.get(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST(OwnedFileTest, RefusesSymlinksDirectoriesAndHardLinksNamingThePath)
{
  TempDir dir;
  const auto target = dir.path() / "target";
  std::ofstream(target) << "x";
  std::filesystem::create_symlink(target, dir.path() / "link");
  std::filesystem::create_hard_link(target, dir.path() / "hard");
  std::filesystem::create_directory(dir.path() / "folder");

  const std::string link = refusal(dir.path() / "link", O_RDWR | O_CREAT);
  EXPECT_NE(link.find((dir.path() / "link").string() + ": it is a symbolic link"),
            std::string::npos)
    << link;
  EXPECT_NE(refusal(dir.path() / "hard", O_RDWR).find("2 hard links"), std::string::npos);
  EXPECT_NE(refusal(dir.path() / "folder", O_RDONLY).find("not a regular file"),
            std::string::npos);
  EXPECT_NE(refusal(dir.path() / "missing", O_RDONLY).find("cannot open the test file"),
            std::string::npos);
}

}  // namespace
}  // namespace orchestrate
