#include "ConfigTestProject.hpp"

namespace orchestrate {
namespace {

class SuiteConfigLoaderTest : public ConfigTestProject
{
protected:
  void SetUp() override
  {
    ConfigTestProject::SetUp();
    write_project();
    write("fixtures/postgres.yaml", "service: db\nport: 5432\n");
    write("fixtures/redis.yaml", "service: cache\nport: 6379\n");
  }

  // Writes suites/<name>.yaml and loads it.
  SuiteConfig load_suite(const std::string& text, const std::string& name = "a") const
  {
    write("suites/" + name + ".yaml", text);
    return load_suite_config(load_project(), name);
  }

  // The message of loading suites/a.yaml with `text` as its content.
  std::string error_for(const std::string& text) const
  {
    return config_error([&] { load_suite(text); });
  }
};

TEST_F(SuiteConfigLoaderTest, LoadsPytestSuite)
{
  const auto suite = load_suite(R"(runner: pytest
paths: [suites/integration, tests/test_x.py::test_y]
args: ["-p", "no:randomly"]
fixtures:
  - postgres
  - redis
test_timeout: 30s
collect_timeout: 90s
)",
                                "integration");

  EXPECT_EQ(suite.name, "integration");
  EXPECT_EQ(suite.source_path, m_root / "suites/integration.yaml");
  EXPECT_EQ(suite.runner, "pytest");
  EXPECT_EQ(suite.paths,
            (std::vector<std::string>{"suites/integration", "tests/test_x.py::test_y"}));
  EXPECT_EQ(suite.args, (std::vector<std::string>{"-p", "no:randomly"}));
  EXPECT_EQ(suite.fixtures, (std::vector<std::string>{"postgres", "redis"}));
  EXPECT_EQ(suite.test_timeout, Milliseconds(30'000));
  EXPECT_EQ(suite.collect_timeout, Milliseconds(90'000));
}

TEST_F(SuiteConfigLoaderTest, DefaultsToPytestWithoutFixturesOrTimeout)
{
  const auto suite = load_suite("paths: [tests]\n");

  EXPECT_EQ(suite.runner, "pytest");
  EXPECT_EQ(suite.paths, std::vector<std::string>{"tests"});
  EXPECT_TRUE(suite.args.empty());
  EXPECT_TRUE(suite.fixtures.empty());
  EXPECT_TRUE(suite.commands.empty());
  EXPECT_EQ(suite.test_timeout, Milliseconds(0));
}

TEST_F(SuiteConfigLoaderTest, LoadsReuse)
{
  EXPECT_EQ(load_suite("paths: [t]\nreuse: true\n").reuse, std::optional<bool>(true));
  EXPECT_EQ(load_suite("paths: [t]\nreuse: false\n").reuse, std::optional<bool>(false));
  EXPECT_FALSE(load_suite("paths: [t]\n").reuse);
}

TEST_F(SuiteConfigLoaderTest, RejectsReuseThatIsNotABoolean)
{
  expect_error_at(error_for("paths: [t]\nreuse: yes\n"), "suites/a.yaml", 2, "'reuse' must be");
}

TEST_F(SuiteConfigLoaderTest, LoadsGtestSuite)
{
  const auto suite = load_suite(
    "runner: gtest\nbinary: build/examples/redis_gtest\nargs: [--gtest_brief=1]\n"
    "fixtures: [redis]\n");

  EXPECT_EQ(suite.runner, "gtest");
  EXPECT_EQ(suite.gtest_binary, "build/examples/redis_gtest");
  EXPECT_EQ(suite.args, std::vector<std::string>{"--gtest_brief=1"});
  EXPECT_EQ(suite.fixtures, std::vector<std::string>{"redis"});
  EXPECT_TRUE(suite.paths.empty());
}

TEST_F(SuiteConfigLoaderTest, LoadsCommandSuiteInOrder)
{
  const auto suite = load_suite(R"(runner: command
fixtures: [redis]
commands:
  - name: ping-redis
    run: ["sh", "-c", "redis-cli -u $REDIS_URL ping"]
  - name: true
    run: [/bin/true]
)");

  EXPECT_EQ(suite.runner, "command");
  ASSERT_EQ(suite.commands.size(), 2u);
  EXPECT_EQ(suite.commands[0].name, "ping-redis");
  EXPECT_EQ(suite.commands[0].argv,
            (std::vector<std::string>{"sh", "-c", "redis-cli -u $REDIS_URL ping"}));
  EXPECT_EQ(suite.commands[1].name, "true");
  EXPECT_EQ(suite.commands[1].argv, std::vector<std::string>{"/bin/true"});
}

TEST_F(SuiteConfigLoaderTest, ListsSuiteNamesSortedIgnoringOtherFiles)
{
  write("suites/unit.yaml", "paths: [a]\n");
  write("suites/integration.yaml", "paths: [b]\n");
  write("suites/notes.txt", "not a suite\n");
  write("suites/old.yml", "paths: [c]\n");
  std::filesystem::create_directories(m_root / "suites/folder.yaml");

  EXPECT_EQ(list_suite_names(load_project()), (std::vector<std::string>{"integration", "unit"}));
}

TEST_F(SuiteConfigLoaderTest, ListsNoSuitesWhenTheFolderIsMissing)
{
  EXPECT_TRUE(list_suite_names(load_project()).empty());
}

TEST_F(SuiteConfigLoaderTest, ReportsUnknownSuiteListingTheSuitesThatExist)
{
  write("suites/unit.yaml", "paths: [a]\n");
  write("suites/integration.yaml", "paths: [b]\n");

  const auto message = config_error([this] { load_suite_config(load_project(), "x"); });

  EXPECT_EQ(message, "unknown suite 'x'; suites in " + (m_root / "suites").string() +
                       ": integration, unit");
}

TEST_F(SuiteConfigLoaderTest, ReportsUnknownSuiteWhenThereAreNone)
{
  const auto message = config_error([this] { load_suite_config(load_project(), "unit"); });

  EXPECT_EQ(message, "unknown suite 'unit'; suites in " + (m_root / "suites").string() +
                       ": (none)");
}

TEST_F(SuiteConfigLoaderTest, RejectsSuiteNameThatIsAPath)
{
  write("other.yaml", "paths: [a]\n");
  write("suites/unit.yaml", "paths: [a]\n");

  const auto message = config_error([this] { load_suite_config(load_project(), "../other"); });

  EXPECT_EQ(message.rfind("unknown suite '../other'", 0), 0u) << message;
}

TEST_F(SuiteConfigLoaderTest, ReportsInvalidYamlInASuite)
{
  expect_error_at(error_for("paths: [a\n"), "suites/a.yaml", 2, "invalid YAML");
}

TEST_F(SuiteConfigLoaderTest, ReportsEmptySuiteFileAtLineOne)
{
  EXPECT_EQ(error_for(""), at("suites/a.yaml", 1) + "file is empty; expected a mapping of keys");
}

TEST_F(SuiteConfigLoaderTest, RejectsUnknownKey)
{
  EXPECT_EQ(error_for("paths: [a]\ntimeout: 3s\n"),
            at("suites/a.yaml", 2) +
              "unknown key 'timeout'; expected one of: runner, fixtures, test_timeout, "
              "collect_timeout, reuse, paths, args, binary, commands");
}

TEST_F(SuiteConfigLoaderTest, RejectsUnknownRunner)
{
  EXPECT_EQ(error_for("runner: nose\npaths: [a]\n"),
            at("suites/a.yaml", 1) + "'runner' must be one of: pytest, gtest, command, got 'nose'");
}

TEST_F(SuiteConfigLoaderTest, RejectsKeyOfAnotherRunner)
{
  EXPECT_EQ(error_for("paths: [a]\nbinary: build/x\n"),
            at("suites/a.yaml", 2) +
              "key 'binary' does not apply to runner 'pytest'; keys for this runner: runner, "
              "fixtures, test_timeout, collect_timeout, reuse, paths, args");
}

TEST_F(SuiteConfigLoaderTest, RejectsArgsInACommandSuite)
{
  expect_error_at(error_for("runner: command\nargs: [-v]\ncommands: [{name: a, run: [x]}]\n"),
                  "suites/a.yaml", 2, "key 'args' does not apply to runner 'command'");
}

TEST_F(SuiteConfigLoaderTest, RejectsPytestSuiteWithoutPaths)
{
  EXPECT_EQ(error_for("fixtures: [redis]\n"),
            at("suites/a.yaml", 1) +
              "missing required key 'paths'; expected a non-empty list of test paths, e.g. "
              "'paths: [tests/integration]'");
}

TEST_F(SuiteConfigLoaderTest, RejectsEmptyPaths)
{
  expect_error_at(error_for("paths: []\n"), "suites/a.yaml", 1,
                  "'paths' must be a non-empty list of test paths (relative to the project root), "
                  "got an empty list");
}

TEST_F(SuiteConfigLoaderTest, RejectsPathsGivenAsAString)
{
  expect_error_at(error_for("paths: tests\n"), "suites/a.yaml", 1,
                  "'paths' must be a non-empty list of test paths (relative to the project root), "
                  "got 'tests'");
}

TEST_F(SuiteConfigLoaderTest, RejectsArgThatIsNotAString)
{
  expect_error_at(error_for("paths: [a]\nargs:\n  - -v\n  - {k: 1}\n"), "suites/a.yaml", 4,
                  "'args[1]' must be a string, got a mapping");
}

TEST_F(SuiteConfigLoaderTest, RejectsFixturesThatIsAMapping)
{
  EXPECT_EQ(error_for("paths: [a]\nfixtures:\n  postgres: true\n"),
            at("suites/a.yaml", 3) + "'fixtures' must be a list of fixture names, got a mapping");
}

TEST_F(SuiteConfigLoaderTest, RejectsUnknownFixtureAtItsLineListingTheFixturesThatExist)
{
  const auto message = error_for("paths: [a]\nfixtures:\n  - postgres\n  - mysql\n");

  EXPECT_EQ(message, at("suites/a.yaml", 4) + "unknown fixture 'mysql'; fixtures in " +
                       (m_root / "fixtures").string() + ": postgres, redis");
}

TEST_F(SuiteConfigLoaderTest, RejectsFixtureListedTwice)
{
  expect_error_at(error_for("paths: [a]\nfixtures:\n  - redis\n  - redis\n"), "suites/a.yaml", 4,
                  "fixture 'redis' is listed twice");
}

TEST_F(SuiteConfigLoaderTest, RejectsBadTestTimeout)
{
  expect_error_at(error_for("paths: [a]\ntest_timeout: soon\n"), "suites/a.yaml", 2,
                  "'test_timeout' must be a duration such as 500ms, 30s, 10m or 1h");
}

TEST_F(SuiteConfigLoaderTest, RejectsGtestSuiteWithoutBinary)
{
  expect_error_at(error_for("runner: gtest\n"), "suites/a.yaml", 1,
                  "missing required key 'binary'; expected the gtest binary, relative to the "
                  "project root");
}

TEST_F(SuiteConfigLoaderTest, RejectsEmptyGtestBinary)
{
  expect_error_at(error_for("runner: gtest\nbinary: \"\"\n"), "suites/a.yaml", 2,
                  "'binary' must be a path to the gtest binary, got ''");
}

TEST_F(SuiteConfigLoaderTest, RejectsCommandSuiteWithoutCommands)
{
  expect_error_at(error_for("runner: command\n"), "suites/a.yaml", 1,
                  "missing required key 'commands'; expected a non-empty list of commands");
}

TEST_F(SuiteConfigLoaderTest, RejectsEmptyCommandList)
{
  expect_error_at(error_for("runner: command\ncommands: []\n"), "suites/a.yaml", 2,
                  "'commands' must be a non-empty list of commands, each with 'name' and 'run', "
                  "got an empty list");
}

TEST_F(SuiteConfigLoaderTest, RejectsCommandThatIsNotAMapping)
{
  expect_error_at(error_for("runner: command\ncommands:\n  - echo hi\n"), "suites/a.yaml", 3,
                  "'commands[0]' must be a mapping of keys, got 'echo hi'");
}

TEST_F(SuiteConfigLoaderTest, RejectsCommandWithoutName)
{
  expect_error_at(error_for("runner: command\ncommands:\n  - run: [x]\n"), "suites/a.yaml", 3,
                  "missing required key 'name' in 'commands[0]'");
}

TEST_F(SuiteConfigLoaderTest, RejectsCommandWithoutRun)
{
  expect_error_at(error_for("runner: command\ncommands:\n  - name: a\n"), "suites/a.yaml", 3,
                  "missing required key 'run' in 'commands[0]'");
}

TEST_F(SuiteConfigLoaderTest, RejectsDuplicateCommandNamesAtTheSecondOne)
{
  const auto message = error_for(
    "runner: command\ncommands:\n  - name: a\n    run: [x]\n  - name: a\n    run: [y]\n");

  EXPECT_EQ(message,
            at("suites/a.yaml", 5) + "command name 'a' is used twice; names must be unique");
}

TEST_F(SuiteConfigLoaderTest, RejectsRunGivenAsAShellString)
{
  const auto message =
    error_for("runner: command\ncommands:\n  - name: a\n    run: redis-cli ping\n");

  EXPECT_EQ(message, at("suites/a.yaml", 4) +
                       "'commands[0].run' must be a non-empty list of strings (an argv: write "
                       "[\"sh\", \"-c\", \"...\"] to use a shell), got 'redis-cli ping'");
}

TEST_F(SuiteConfigLoaderTest, RejectsUnknownKeyInACommand)
{
  expect_error_at(error_for("runner: command\ncommands:\n  - name: a\n    run: [x]\n    cwd: /\n"),
                  "suites/a.yaml", 5,
                  "unknown key 'cwd' in 'commands[0]'; expected one of: name, run");
}

TEST_F(SuiteConfigLoaderTest, RejectsAHugeTestTimeoutAtItsLine)
{
  const auto message = error_for("runner: pytest\npaths: [tests]\ntest_timeout: 1e30s\n");
  expect_error_at(message, "suites/a.yaml", 3,
                  "'test_timeout' is out of range: at most 8760h (365 days), got '1e30s'");
}

}  // namespace
}  // namespace orchestrate
