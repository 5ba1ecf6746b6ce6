#include "runners/GtestRunner.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace orchestrate {
namespace {

using Ids = std::vector<std::string>;

// Verbatim `--gtest_list_tests` of a GoogleTest 1.12 binary (Debian 12's libgtest-dev) linked with
// gtest_main, holding plain, disabled, typed, type-parameterized and value-parameterized tests.
constexpr const char* k_mixed_listing = R"(Running main() from ./googletest/src/gtest_main.cc
PlainSuite.
  First
  DISABLED_Second
DISABLED_OffSuite.
  Any
Typed/0.  # TypeParam = int
  Holds
Typed/1.  # TypeParam = std::basic_string<char, std::char_traits<char>, std::allocator<char> >
  Holds
My/TypedP/0.  # TypeParam = int
  Does
My/TypedP/1.  # TypeParam = std::basic_string<char, std::char_traits<char>, std::allocator<char> >
  Does
Crash.
  Aborts
  After
Words/ParamTest.
  Works/0  # GetParam() = "a b"
  Works/1  # GetParam() = "c"
IntParam.
  Named/n1  # GetParam() = 1
  Named/n2  # GetParam() = 2
)";

TEST(GtestListParserTest, ReadsPlainTypedAndParameterizedTestsAsSuiteDotTest)
{
  EXPECT_EQ(parse_gtest_list_output(k_mixed_listing),
            (Ids{"PlainSuite.First", "Typed/0.Holds", "Typed/1.Holds", "My/TypedP/0.Does",
                 "My/TypedP/1.Does", "Crash.Aborts", "Crash.After", "Words/ParamTest.Works/0",
                 "Words/ParamTest.Works/1", "IntParam.Named/n1", "IntParam.Named/n2"}));
}

TEST(GtestListParserTest, IncludesDisabledTestsOnlyWhenAskedTo)
{
  const auto ids = parse_gtest_list_output(k_mixed_listing, true);

  EXPECT_EQ(ids.size(), 13u);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "PlainSuite.DISABLED_Second"), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), "DISABLED_OffSuite.Any"), ids.end());
}

TEST(GtestListParserTest, LeavesOutDisabledSuitesAfterAnInstantiationPrefix)
{
  const std::string listing = "Inst/DISABLED_Param.\n  Runs/0  # GetParam() = 1\n"
                              "Inst/Param.\n  Runs/DISABLED_0  # GetParam() = 1\n  Runs/1\n";

  EXPECT_EQ(parse_gtest_list_output(listing), (Ids{"Inst/Param.Runs/1"}));
}

TEST(GtestListParserTest, IgnoresIndentedLinesThatFollowNoSuite)
{
  // Output of the binary's own before main(): not a suite, so what is indented under it is no test.
  const std::string listing = "connecting to nothing yet\n  detail line\nRedisTest.\n  Ping\n";

  EXPECT_EQ(parse_gtest_list_output(listing), (Ids{"RedisTest.Ping"}));
}

TEST(GtestListParserTest, EmptyListingHasNoTests)
{
  EXPECT_TRUE(parse_gtest_list_output("Running main() from ./googletest/src/gtest_main.cc\n")
                .empty());
}

TEST(GtestListParserTest, FilterJoinsIdsWithColons)
{
  EXPECT_EQ(gtest_filter_for({"A.b", "Typed/0.c", "Inst/P.d/1"}), "A.b:Typed/0.c:Inst/P.d/1");
}

TEST(GtestListParserTest, LongFiltersAreSplitIntoGroupsUnderTheLimit)
{
  const Ids ids{"Suite.aaaa", "Suite.bbbb", "Suite.cccc", "Suite.dddd", "Suite.eeee"};

  // Each id costs 11 characters with its separator: two fit in 25, the fifth is alone.
  const auto groups = split_for_filter(ids, 25);

  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0], (Ids{"Suite.aaaa", "Suite.bbbb"}));
  EXPECT_EQ(groups[2], (Ids{"Suite.eeee"}));
  EXPECT_EQ(split_for_filter(ids, 1).size(), 5u);  // an id longer than the limit still runs
  EXPECT_EQ(split_for_filter(ids, 100'000).size(), 1u);
}

}  // namespace
}  // namespace orchestrate
