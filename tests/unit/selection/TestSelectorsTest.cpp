#include "selection/TestSelectors.hpp"

#include "config/ConfigLoader.hpp"
#include "core/Error.hpp"
#include "support/TempDir.hpp"

#include <fstream>
#include <gtest/gtest.h>

namespace orchestrate {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text)
{
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A project with two pytest suites (integration, unit) and a gtest one.
class TestSelectorsTest : public ::testing::Test
{
protected:
  TestSelectorsTest()
  {
    write(root() / "orchestrate.yaml",
          "project: p\nenvironments:\n  test: {compose_files: [c.yml]}\n");
    write(root() / "c.yml", "services: {}\n");
    write(root() / "suites/integration.yaml", "paths: [tests/integration]\n");
    write(root() / "suites/unit.yaml", "paths: [tests/unit, tests/extra/test_z.py]\n");
    write(root() / "suites/native.yaml", "runner: gtest\nbinary: build/t\n");
    write(root() / "tests/integration/test_pg.py", "");
    write(root() / "tests/unit/test_a.py", "");
    write(root() / "tests/extra/test_z.py", "");
  }

  const fs::path& root() const
  {
    return m_dir.path();
  }

  std::vector<TestSelector> resolve(const std::vector<std::string>& texts,
                                    const fs::path& from) const
  {
    return resolve_test_selectors(texts, from, root());
  }

  std::string error_of(const std::function<void()>& action) const
  {
    try {
      action();
    } catch (const UsageError& error) {
      return error.what();
    }
    return "no error";
  }

private:
  TempDir m_dir;
};

TEST_F(TestSelectorsTest, PathsAreMadeRelativeToTheProjectRootFromAnyFolder)
{
  const auto from_root = resolve({"tests/integration/test_pg.py::test_x"}, root());
  ASSERT_EQ(from_root.size(), 1u);
  EXPECT_EQ(from_root[0].id, "tests/integration/test_pg.py::test_x");
  EXPECT_FALSE(from_root[0].is_directory);

  const auto from_tests = resolve({"integration/", "./unit/test_a.py"}, root() / "tests");
  EXPECT_EQ(from_tests[0].id, "tests/integration");
  EXPECT_TRUE(from_tests[0].is_directory);
  EXPECT_EQ(from_tests[1].id, "tests/unit/test_a.py");
}

TEST_F(TestSelectorsTest, TextThatIsNoPathIsKeptAsWrittenForGtestNames)
{
  const auto selectors = resolve({"RedisTest.Ping"}, root());
  EXPECT_EQ(selectors[0].id, "RedisTest.Ping");
  EXPECT_FALSE(selectors[0].is_directory);
}

TEST_F(TestSelectorsTest, PathOutsideTheProjectIsAUsageError)
{
  TempDir elsewhere;
  EXPECT_NE(error_of([&] { resolve({elsewhere.path().string()}, root()); }).find("outside the project"),
            std::string::npos);
}

TEST_F(TestSelectorsTest, SelectorMatchesItselfItsChildrenAndItsParametrizations)
{
  const TestSelector module{"m", "tests/unit/test_a.py", false};
  EXPECT_TRUE(selector_matches(module, "tests/unit/test_a.py::test_x"));
  EXPECT_TRUE(selector_matches(module, "tests/unit/test_a.py::TestC::test_y"));
  EXPECT_FALSE(selector_matches(module, "tests/unit/test_a.py2::test_x"));

  const TestSelector function{"f", "tests/unit/test_a.py::test_x", false};
  EXPECT_TRUE(selector_matches(function, "tests/unit/test_a.py::test_x"));
  EXPECT_TRUE(selector_matches(function, "tests/unit/test_a.py::test_x[1-2]"));
  EXPECT_FALSE(selector_matches(function, "tests/unit/test_a.py::test_xy"));

  const TestSelector folder{"d", "tests/unit", true};
  EXPECT_TRUE(selector_matches(folder, "tests/unit/deep/test_b.py::test_q"));
  EXPECT_FALSE(selector_matches(folder, "tests/unitary/test_b.py::test_q"));

  const TestSelector gtest_prefix{"g", "RedisTest.", false};
  EXPECT_TRUE(selector_matches(gtest_prefix, "RedisTest.Ping"));
  EXPECT_FALSE(selector_matches(gtest_prefix, "OtherTest.Ping"));
}

TEST_F(TestSelectorsTest, ApplyKeepsCollectionOrderAndNamesSelectorsThatSelectNothing)
{
  const std::vector<std::string> collected{"a.py::t1", "b.py::t2", "a.py::t3"};
  const std::vector<TestSelector> selectors{{"a.py", "a.py", false}};
  EXPECT_EQ(apply_test_selectors(collected, selectors),
            (std::vector<std::string>{"a.py::t1", "a.py::t3"}));
  EXPECT_EQ(apply_test_selectors(collected, {}), collected);
  const std::vector<TestSelector> with_missing{{"a.py", "a.py", false},
                                               {"c.py::nope", "c.py::nope", false}};
  EXPECT_NE(error_of([&] { apply_test_selectors(collected, with_missing); })
              .find("not found: c.py::nope"),
            std::string::npos);
}

TEST_F(TestSelectorsTest, SuiteIsTheOneWhosePathsHoldTheSelectors)
{
  const auto project = load_project_config(root());
  EXPECT_EQ(suite_for_selectors(project, resolve({"tests/integration/test_pg.py::t"}, root())),
            "integration");
  EXPECT_EQ(suite_for_selectors(project, resolve({"tests/extra/test_z.py"}, root())), "unit");
  EXPECT_NE(error_of([&] {
              suite_for_selectors(project, resolve({"tests/integration", "tests/unit"}, root()));
            }).find("no suite's paths contain tests/integration tests/unit"),
            std::string::npos);
}

TEST_F(TestSelectorsTest, SeveralSuitesHoldingTheSelectorsAreNamed)
{
  write(root() / "suites/integration-again.yaml", "paths: [tests]\n");
  const auto project = load_project_config(root());
  EXPECT_NE(error_of([&] {
              suite_for_selectors(project, resolve({"tests/integration/test_pg.py"}, root()));
            }).find("several suites' paths contain tests/integration/test_pg.py "
                    "(integration, integration-again)"),
            std::string::npos);
}

}  // namespace
}  // namespace orchestrate
