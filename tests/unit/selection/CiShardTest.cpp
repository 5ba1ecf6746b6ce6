#include "selection/CiShard.hpp"

#include "core/Error.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

namespace orchestrate {
namespace {

using std::chrono::milliseconds;

EnvironmentLookup environment(std::map<std::string, std::string> variables)
{
  return [variables = std::move(variables)](const std::string& name) {
    const auto found = variables.find(name);
    return found != variables.end() ? std::optional(found->second) : std::nullopt;
  };
}

std::string usage_error(const std::function<void()>& action)
{
  try {
    action();
  } catch (const UsageError& error) {
    return error.what();
  }
  return "no error";
}

// `count` tests with random durations from a small range, so that ties are common.
std::vector<TestCase> random_tests(std::mt19937& random, int count)
{
  std::uniform_int_distribution<int> duration(0, 20);
  std::vector<TestCase> tests;
  for (int i = 0; i < count; ++i) {
    tests.push_back(
      TestCase{"t.py::test_" + std::to_string(i), milliseconds(duration(random) * 100)});
  }
  return tests;
}

std::vector<std::string> ids_of(const std::vector<TestCase>& tests)
{
  std::vector<std::string> ids;
  for (const TestCase& test : tests) {
    ids.push_back(test.id);
  }
  return ids;
}

TEST(CiShardTest, ParsesIndexSlashTotal)
{
  EXPECT_EQ(parse_ci_shard("3/8"), (CiShard{3, 8}));
  EXPECT_EQ(parse_ci_shard("1/1"), (CiShard{1, 1}));
  EXPECT_EQ(parse_ci_shard("12/12"), (CiShard{12, 12}));
}

TEST(CiShardTest, RejectsAnythingButOneBasedIndexWithinTotal)
{
  for (const char* text : {"0/3", "4/3", "3", "a/b", "-1/3", "1/0", "1/-3", "1/3x", " 1/3",
                           "1/ 3", "", "/", "1/3/4"}) {
    EXPECT_EQ(usage_error([&] { parse_ci_shard(text); }),
              std::string("--shard: expected I/N with 1 <= I <= N (e.g. 3/8) or 'ci', got '") +
                text + "'");
  }
}

TEST(CiShardTest, EnvironmentCiNodeIndexCountsFromZero)
{
  EXPECT_EQ(ci_shard_from_environment(environment({{"CI_NODE_INDEX", "0"},
                                                   {"CI_NODE_TOTAL", "4"}})),
            (CiShard{1, 4}));
  EXPECT_EQ(ci_shard_from_environment(environment({{"CI_NODE_INDEX", "3"},
                                                   {"CI_NODE_TOTAL", "4"}})),
            (CiShard{4, 4}));
  EXPECT_NE(usage_error([] {
              ci_shard_from_environment(environment({{"CI_NODE_INDEX", "4"},
                                                     {"CI_NODE_TOTAL", "4"}}));
            }).find("CI_NODE_INDEX=4 is out of range for CI_NODE_TOTAL=4 (expected 0..3"),
            std::string::npos);
}

TEST(CiShardTest, EnvironmentUnderGitlabCountsFromOne)
{
  EXPECT_EQ(ci_shard_from_environment(environment({{"GITLAB_CI", "true"},
                                                   {"CI_NODE_INDEX", "4"},
                                                   {"CI_NODE_TOTAL", "4"}})),
            (CiShard{4, 4}));
  EXPECT_NE(usage_error([] {
              ci_shard_from_environment(environment({{"GITLAB_CI", "true"},
                                                     {"CI_NODE_INDEX", "0"},
                                                     {"CI_NODE_TOTAL", "4"}}));
            }).find("expected 1..4"),
            std::string::npos);
  // GitLab sets CI_NODE_TOTAL=1 on every job that is not parallel.
  EXPECT_FALSE(ci_shard_from_environment(environment({{"GITLAB_CI", "true"},
                                                      {"CI_NODE_TOTAL", "1"}})));
}

TEST(CiShardTest, EnvironmentCircleCiNodeIndexCountsFromZero)
{
  EXPECT_EQ(ci_shard_from_environment(environment({{"CIRCLE_NODE_INDEX", "2"},
                                                   {"CIRCLE_NODE_TOTAL", "3"},
                                                   {"GITLAB_CI", "true"}})),
            (CiShard{3, 3}));
}

TEST(CiShardTest, EnvironmentWithoutShardVariablesGivesNoShard)
{
  EXPECT_FALSE(ci_shard_from_environment(environment({{"CI", "true"}})));
}

TEST(CiShardTest, EnvironmentRejectsHalfPairsAndNonNumbers)
{
  EXPECT_EQ(usage_error([] {
              ci_shard_from_environment(environment({{"CI_NODE_INDEX", "1"}}));
            }),
            "CI_NODE_INDEX=1 is set but CI_NODE_TOTAL is not");
  EXPECT_EQ(usage_error([] {
              ci_shard_from_environment(environment({{"CIRCLE_NODE_TOTAL", "3"}}));
            }),
            "CIRCLE_NODE_TOTAL=3 is set but CIRCLE_NODE_INDEX is not");
  EXPECT_EQ(usage_error([] {
              ci_shard_from_environment(environment({{"CI_NODE_INDEX", "one"},
                                                     {"CI_NODE_TOTAL", "3"}}));
            }),
            "CI_NODE_INDEX='one' is not a whole number");
  EXPECT_NE(usage_error([] {
              ci_shard_from_environment(environment({{"CI_NODE_INDEX", "0"},
                                                     {"CI_NODE_TOTAL", "0"}}));
            }),
            "no error");
}

TEST(CiShardTest, ResolveReadsTheEnvironmentOnlyWhenAskedWithCi)
{
  const auto lookup = environment({{"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "2"}});
  EXPECT_FALSE(resolve_ci_shard(std::nullopt, lookup));
  EXPECT_EQ(resolve_ci_shard("ci", lookup), (CiShard{2, 2}));
  EXPECT_EQ(resolve_ci_shard("1/5", lookup), (CiShard{1, 5}));
  EXPECT_NE(usage_error([] { resolve_ci_shard("ci", environment({})); }).find("--shard ci:"),
            std::string::npos);
  EXPECT_NE(usage_error([&] { resolve_ci_shard("2", lookup); }), "no error");
}

TEST(CiShardTest, SelectionDoesNotDependOnTheCollectionOrder)
{
  std::mt19937 random(7);
  std::vector<TestCase> tests = random_tests(random, 60);
  std::vector<TestCase> shuffled = tests;
  std::shuffle(shuffled.begin(), shuffled.end(), random);
  for (int index = 1; index <= 4; ++index) {
    std::vector<std::string> from_tests = ids_of(select_ci_shard(tests, index, 4));
    std::vector<std::string> from_shuffled = ids_of(select_ci_shard(shuffled, index, 4));
    std::sort(from_tests.begin(), from_tests.end());
    std::sort(from_shuffled.begin(), from_shuffled.end());
    EXPECT_EQ(from_tests, from_shuffled) << "shard " << index;
    EXPECT_FALSE(from_tests.empty());
  }
}

TEST(CiShardTest, SelectionKeepsTheGivenOrder)
{
  std::mt19937 random(11);
  const std::vector<TestCase> tests = random_tests(random, 30);
  const std::vector<TestCase> selected = select_ci_shard(tests, 2, 3);
  std::vector<std::size_t> positions;
  for (const TestCase& test : selected) {
    const auto found = std::find_if(tests.begin(), tests.end(),
                                    [&](const TestCase& other) { return other.id == test.id; });
    positions.push_back(static_cast<std::size_t>(found - tests.begin()));
    EXPECT_EQ(found->expected, test.expected);
  }
  EXPECT_TRUE(std::is_sorted(positions.begin(), positions.end()));
}

TEST(CiShardTest, EveryTestRunsOnExactlyOneMachine)
{
  std::mt19937 random(2024);
  for (int total = 1; total <= 5; ++total) {
    for (int round = 0; round < 20; ++round) {
      const std::vector<TestCase> tests =
        random_tests(random, std::uniform_int_distribution<int>(0, 40)(random));
      std::map<std::string, int> seen;
      for (int index = 1; index <= total; ++index) {
        for (const TestCase& test : select_ci_shard(tests, index, total)) {
          ++seen[test.id];
        }
      }
      ASSERT_EQ(seen.size(), tests.size()) << "total " << total << " round " << round;
      for (const auto& [id, count] : seen) {
        ASSERT_EQ(count, 1) << id << " total " << total << " round " << round;
      }
    }
  }
}

TEST(CiShardTest, MachinesGetBalancedDurations)
{
  std::mt19937 random(5);
  for (int total = 2; total <= 5; ++total) {
    const std::vector<TestCase> tests = random_tests(random, 80);
    Milliseconds sum{0};
    Milliseconds longest{0};
    for (const TestCase& test : tests) {
      sum += test.expected;
      longest = std::max(longest, test.expected);
    }
    Milliseconds heaviest{0};
    for (int index = 1; index <= total; ++index) {
      Milliseconds load{0};
      for (const TestCase& test : select_ci_shard(tests, index, total)) {
        load += test.expected;
      }
      heaviest = std::max(heaviest, load);
    }
    // Longest-first to the lightest machine is never worse than this.
    EXPECT_LE(heaviest, sum / total + longest) << "total " << total;
  }
}

TEST(CiShardTest, MoreMachinesThanTestsLeavesSomeMachinesEmpty)
{
  const std::vector<TestCase> tests{{"a", milliseconds(5)}, {"b", milliseconds(5)}};
  int selected = 0;
  for (int index = 1; index <= 5; ++index) {
    selected += static_cast<int>(select_ci_shard(tests, index, 5).size());
  }
  EXPECT_EQ(selected, 2);
}

TEST(CiShardTest, SelectRejectsAnIndexOutsideTheTotal)
{
  EXPECT_NE(usage_error([] { select_ci_shard({}, 0, 3); }), "no error");
  EXPECT_NE(usage_error([] { select_ci_shard({}, 4, 3); }), "no error");
}

TEST(CiShardTest, FingerprintIgnoresOrderButNotIdsOrDurations)
{
  const std::vector<TestCase> tests{{"a", milliseconds(5)}, {"b", milliseconds(7)}};
  const std::vector<TestCase> reversed{tests[1], tests[0]};
  const std::vector<TestCase> slower{{"a", milliseconds(6)}, {"b", milliseconds(7)}};
  const std::vector<TestCase> renamed{{"a", milliseconds(5)}, {"c", milliseconds(7)}};
  EXPECT_EQ(ci_shard_fingerprint(tests), ci_shard_fingerprint(reversed));
  EXPECT_NE(ci_shard_fingerprint(tests), ci_shard_fingerprint(slower));
  EXPECT_NE(ci_shard_fingerprint(tests), ci_shard_fingerprint(renamed));
  EXPECT_EQ(ci_shard_fingerprint(tests).size(), 16u);
}

TEST(CiShardTest, ReadsBuildkiteParallelJobCountingFromZero)
{
  EXPECT_EQ(ci_shard_from_environment(environment(
              {{"BUILDKITE_PARALLEL_JOB", "0"}, {"BUILDKITE_PARALLEL_JOB_COUNT", "4"}})),
            (CiShard{1, 4}));
  EXPECT_EQ(ci_shard_from_environment(environment(
              {{"BUILDKITE_PARALLEL_JOB", "3"}, {"BUILDKITE_PARALLEL_JOB_COUNT", "4"}})),
            (CiShard{4, 4}));
  EXPECT_NE(usage_error([] {
              ci_shard_from_environment(environment(
                {{"BUILDKITE_PARALLEL_JOB", "4"}, {"BUILDKITE_PARALLEL_JOB_COUNT", "4"}}));
            }).find("BUILDKITE_PARALLEL_JOB=4 is out of range"),
            std::string::npos);
}

TEST(CiShardTest, ReadsBazelTestShardIndexCountingFromZero)
{
  EXPECT_EQ(ci_shard_from_environment(
              environment({{"TEST_SHARD_INDEX", "0"}, {"TEST_TOTAL_SHARDS", "3"}})),
            (CiShard{1, 3}));
  EXPECT_EQ(ci_shard_from_environment(
              environment({{"TEST_SHARD_INDEX", "2"}, {"TEST_TOTAL_SHARDS", "3"}})),
            (CiShard{3, 3}));
  EXPECT_NE(usage_error([] {
              ci_shard_from_environment(environment({{"TEST_SHARD_INDEX", "1"}}));
            }).find("TEST_SHARD_INDEX=1 is set but TEST_TOTAL_SHARDS is not"),
            std::string::npos);
}

TEST(CiShardTest, ShardCiWithoutVariablesNamesEveryCiItReads)
{
  const auto message = usage_error([] { resolve_ci_shard(std::string("ci"), environment({})); });
  for (const char* name : {"CI_NODE_INDEX", "CIRCLE_NODE_INDEX", "BUILDKITE_PARALLEL_JOB",
                           "TEST_SHARD_INDEX"}) {
    EXPECT_NE(message.find(name), std::string::npos) << message;
  }
}

TEST(CiShardTest, TouchesBazelShardStatusFileWhenItIsSet)
{
  TempDir dir;
  const auto file = dir.path() / "status";
  EXPECT_TRUE(touch_shard_status_file(environment({{"TEST_SHARD_STATUS_FILE", file.string()}})));
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_FALSE(touch_shard_status_file(environment({})));
  EXPECT_NE(usage_error([&] {
              touch_shard_status_file(environment(
                {{"TEST_SHARD_STATUS_FILE", (dir.path() / "missing" / "status").string()}}));
            }).find("TEST_SHARD_STATUS_FILE="),
            std::string::npos);
}

}  // namespace
}  // namespace orchestrate
