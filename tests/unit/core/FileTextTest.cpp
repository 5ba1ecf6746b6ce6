#include "core/FileText.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <string>

namespace orchestrate {
namespace {

TEST(FileTextTest, ReadsAWholeFileByteForByte)
{
  TempDir dir;
  const std::string content = std::string("a\0b\n", 4) + std::string(40'000, 'x');
  std::ofstream(dir.path() / "file", std::ios::binary) << content;
  EXPECT_EQ(read_file_text(dir.path() / "file"), content);
}

TEST(FileTextTest, AMissingFileIsNulloptWithErrno)
{
  TempDir dir;
  errno = 0;
  EXPECT_EQ(read_file_text(dir.path() / "missing"), std::nullopt);
  EXPECT_EQ(errno, ENOENT);
}

TEST(FileTextTest, AFileThatOpensButCannotBeReadIsNulloptWithErrno)
{
  // A directory opens read-only but read() fails, as a cgroup file of a container being removed
  // (ENODEV) or a /proc file of a process that is gone (ESRCH) does. Through an ifstream this was
  // an empty string (or, with istreambuf_iterator, a thrown std::ios_failure).
  TempDir dir;
  errno = 0;
  EXPECT_EQ(read_file_text(dir.path()), std::nullopt);
  EXPECT_EQ(errno, EISDIR);
  EXPECT_EQ(read_file_text("/proc/self/mem"), std::nullopt);
}

}  // namespace
}  // namespace orchestrate
