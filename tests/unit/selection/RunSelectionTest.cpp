#include "selection/RunSelection.hpp"

#include "core/Error.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>
#include <map>

namespace orchestrate {
namespace {

EnvironmentLookup environment(std::map<std::string, std::string> variables)
{
  return [variables = std::move(variables)](const std::string& name) {
    const auto found = variables.find(name);
    return found != variables.end() ? std::optional(found->second) : std::nullopt;
  };
}

class RunSelectionTest : public ::testing::Test
{
protected:
  Selection select(const std::vector<std::string>& collected, const SelectionRequest& request,
                   const EnvironmentLookup& lookup = environment({}))
  {
    return select_tests(collected, request, m_durations, lookup,
                        [this](const std::string& line) { m_said.push_back(line); });
  }

  TempDir m_dir;
  DurationStore m_durations = DurationStore::load(m_dir.path() / "durations.json");
  std::vector<std::string> m_said;
};

TEST_F(RunSelectionTest, SelectorsThenKeywordNarrowTheCollectedTests)
{
  SelectionRequest request;
  request.selectors = {{"a.py", "a.py", false}};
  request.keyword_expression = "not slow";
  const auto selection = select({"a.py::fast", "a.py::slow", "b.py::fast"}, request);
  ASSERT_EQ(selection.tests.size(), 1u);
  EXPECT_EQ(selection.tests[0].id, "a.py::fast");
  EXPECT_FALSE(selection.shard);
  EXPECT_FALSE(selection.empty_share());
}

TEST_F(RunSelectionTest, ShareLeftEmptyByMoreMachinesThanTestsIsAnEmptyShare)
{
  SelectionRequest request;
  request.ci_shard = "4/4";
  const auto selection = select({"a.py::one", "a.py::two"}, request);
  EXPECT_TRUE(selection.tests.empty());
  EXPECT_EQ(selection.before_shard, 2);
  EXPECT_TRUE(selection.empty_share());
  // The caller says it in one line, with the fingerprint.
  EXPECT_TRUE(m_said.empty());
  EXPECT_EQ(selection.fingerprint.size(), 16u);
}

TEST_F(RunSelectionTest, NothingSelectedBeforeTheShareIsNoEmptyShare)
{
  SelectionRequest request;
  request.ci_shard = "1/2";
  request.keyword_expression = "nothing_matches";
  EXPECT_FALSE(select({"a.py::one"}, request).empty_share());
}

TEST_F(RunSelectionTest, ShardCiTouchesBazelsStatusFile)
{
  const auto status = m_dir.path() / "shard-status";
  SelectionRequest request;
  request.ci_shard = "ci";
  const auto selection =
    select({"a.py::one", "a.py::two"}, request,
           environment({{"TEST_SHARD_INDEX", "1"}, {"TEST_TOTAL_SHARDS", "2"},
                        {"TEST_SHARD_STATUS_FILE", status.string()}}));
  EXPECT_EQ(selection.shard, (CiShard{2, 2}));
  EXPECT_EQ(selection.tests.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(status));
}

}  // namespace
}  // namespace orchestrate
