// Which subcommand a command line names, with the project folder given before it (`git -C`).

#include "cli/Commands.hpp"

#include <gtest/gtest.h>

namespace orchestrate::cli {
namespace {

using Words = std::vector<std::string>;

TEST(SubcommandTest, TheFirstWordNamesTheSubcommand)
{
  const auto call = find_subcommand({"pool", "down", "-C", "shop"});
  EXPECT_EQ(call.name, "pool");
  EXPECT_EQ(call.arguments, (Words{"down", "-C", "shop"}));
}

TEST(SubcommandTest, WithoutASubcommandItIsARunWithEveryArgument)
{
  EXPECT_EQ(find_subcommand({"--suite", "integration", "-n", "4"}).name, "run");
  EXPECT_EQ(find_subcommand({"--suite", "integration"}).arguments,
            (Words{"--suite", "integration"}));
  EXPECT_EQ(find_subcommand({}).name, "run");
  const auto run = find_subcommand({"-C", "shop", "--suite", "integration"});
  EXPECT_EQ(run.name, "run");
  EXPECT_EQ(run.arguments, (Words{"-C", "shop", "--suite", "integration"}));
}

TEST(SubcommandTest, AProjectFolderBeforeTheSubcommandGoesAfterIt)
{
  const auto separate = find_subcommand({"-C", "shop", "pool", "down"});
  EXPECT_EQ(separate.name, "pool");
  EXPECT_EQ(separate.arguments, (Words{"down", "-C", "shop"}));

  const auto attached = find_subcommand({"-Cshop", "lint"});
  EXPECT_EQ(attached.name, "lint");
  EXPECT_EQ(attached.arguments, (Words{"-Cshop"}));

  const auto long_form = find_subcommand({"--project-dir", "shop", "env", "status"});
  EXPECT_EQ(long_form.name, "env");
  EXPECT_EQ(long_form.arguments, (Words{"status", "--project-dir", "shop"}));

  const auto with_equals = find_subcommand({"--project-dir=shop", "cleanup", "--dry-run"});
  EXPECT_EQ(with_equals.name, "cleanup");
  EXPECT_EQ(with_equals.arguments, (Words{"--dry-run", "--project-dir=shop"}));
}

TEST(SubcommandTest, AFolderNamedLikeASubcommandIsAFolder)
{
  // `-C pool --suite x`: the folder is called pool, and this is a run.
  const auto call = find_subcommand({"-C", "pool", "--suite", "x"});
  EXPECT_EQ(call.name, "run");
  EXPECT_EQ(call.arguments, (Words{"-C", "pool", "--suite", "x"}));
}

}  // namespace
}  // namespace orchestrate::cli
