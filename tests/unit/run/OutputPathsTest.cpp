#include "core/Error.hpp"
#include "run/OutputPaths.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace orchestrate {
namespace {

namespace fs = std::filesystem;

std::string refusal(const fs::path& file)
{
  try {
    check_writable_file(file, "the --report-json report");
  } catch (const UsageError& error) {
    return error.what();
  }
  return "accepted";
}

TEST(OutputPathsTest, AReportPathUnderAFileIsRefusedNamingThePath)
{
  // Before: found out only when the report was written, after the whole suite had run.
  TempDir dir;
  std::ofstream(dir.path() / "a-file") << "x";
  const fs::path report = dir.path() / "a-file" / "report.json";
  const std::string message = refusal(report);
  EXPECT_NE(message.find("cannot write the --report-json report"), std::string::npos) << message;
  EXPECT_NE(message.find((dir.path() / "a-file").string()), std::string::npos) << message;
  EXPECT_NE(message.find("nothing was started"), std::string::npos) << message;
}

TEST(OutputPathsTest, AReportPathThatIsAFolderIsRefused)
{
  TempDir dir;
  EXPECT_NE(refusal(dir.path()).find("it is a folder"), std::string::npos);
}

TEST(OutputPathsTest, AWritablePathIsAcceptedAndLeftAsItWas)
{
  TempDir dir;
  EXPECT_EQ(refusal(dir.path() / "new" / "report.json"), "accepted");
  EXPECT_TRUE(fs::is_directory(dir.path() / "new"));
  EXPECT_TRUE(fs::is_empty(dir.path() / "new"));  // the probe file is gone

  std::ofstream(dir.path() / "old.json") << "previous report\n";
  EXPECT_EQ(refusal(dir.path() / "old.json"), "accepted");
  std::ifstream old(dir.path() / "old.json");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(old), {}), "previous report\n");
}

TEST(OutputPathsTest, AStateDirOnAReadOnlyFileSystemIsRefused)
{
  // /proc refuses new files even to root, where permission bits would not.
  EXPECT_THROW(check_writable_folder("/proc/orchestrate-state", "into state_dir"), UsageError);
  EXPECT_THROW(check_writable_folder("/proc/self", "into state_dir"), UsageError);
}

}  // namespace
}  // namespace orchestrate
