#include "ConfigTestProject.hpp"

namespace orchestrate {
namespace {

class ProjectConfigLoaderTest : public ConfigTestProject
{
protected:
  // The message of loading orchestrate.yaml with `text` as its whole content.
  std::string error_for(const std::string& text) const
  {
    write("compose/test.yml", "services: {}\n");
    write("orchestrate.yaml", text);
    return config_error([this] { load_project(); });
  }

  // The message of loading the valid project with `extra` top-level lines appended (line 5 on).
  std::string error_with(const std::string& extra) const
  {
    write_project(extra);
    return config_error([this] { load_project(); });
  }
};

TEST_F(ProjectConfigLoaderTest, LoadsEveryValueOfAGoodFile)
{
  write("compose/test.yml", "services: {}\n");
  write("compose/dev.yml", "services: {}\n");
  write("compose/dev-extra.yml", "services: {}\n");
  write("orchestrate.yaml", R"(project: Shop
environments:
  test:
    compose_files: [compose/test.yml]
  dev:
    compose_files:
      - compose/dev.yml
      - ./compose/dev-extra.yml
python: /opt/python/bin/python3
suites_dir: config/suites
fixtures_dir: config/fixtures
lock_dir: /var/lock/orchestrate
state_dir: state
memory_budget: 2GiB
allow_docker_socket_mount: true
keep_runs: 5
defaults:
  parallel: 8
  readiness_timeout: 90s
  stop_timeout: 500ms
  lock_timeout: 2m
  test_timeout: 1.5s
  collect_timeout: 45s
)");

  const auto config = load_project();

  EXPECT_EQ(config.root, m_root);
  EXPECT_EQ(config.source_path, m_root / "orchestrate.yaml");
  EXPECT_EQ(config.prefix, "shop");
  ASSERT_EQ(config.environments.size(), 2u);
  const auto& test = config.environments.at("test");
  EXPECT_EQ(test.name, "test");
  EXPECT_EQ(test.compose_files, std::vector<std::filesystem::path>{m_root / "compose/test.yml"});
  const auto& dev = config.environments.at("dev");
  EXPECT_EQ(dev.compose_files, (std::vector<std::filesystem::path>{
                                 m_root / "compose/dev.yml", m_root / "compose/dev-extra.yml"}));
  EXPECT_EQ(config.python, "/opt/python/bin/python3");
  EXPECT_EQ(config.suites_dir, m_root / "config/suites");
  EXPECT_EQ(config.fixtures_dir, m_root / "config/fixtures");
  EXPECT_EQ(config.lock_dir, "/var/lock/orchestrate");
  EXPECT_EQ(config.state_dir, m_root / "state");
  EXPECT_EQ(config.memory_budget_bytes, 2ull << 30);
  EXPECT_TRUE(config.allow_docker_socket_mount);
  EXPECT_EQ(config.keep_runs, 5);
  EXPECT_EQ(config.defaults.parallel, 8);
  EXPECT_EQ(config.defaults.readiness_timeout, Milliseconds(90'000));
  EXPECT_EQ(config.defaults.stop_timeout, Milliseconds(500));
  EXPECT_EQ(config.defaults.lock_timeout, Milliseconds(120'000));
  EXPECT_EQ(config.defaults.test_timeout, Milliseconds(1'500));
  EXPECT_EQ(config.defaults.collect_timeout, Milliseconds(45'000));
}

TEST_F(ProjectConfigLoaderTest, AppliesDefaultsForOptionalKeys)
{
  write_project();

  const auto config = load_project();

  EXPECT_EQ(config.python, "/usr/bin/python3");
  EXPECT_EQ(config.suites_dir, m_root / "suites");
  EXPECT_EQ(config.fixtures_dir, m_root / "fixtures");
  EXPECT_EQ(config.lock_dir, m_root / ".orchestrate/locks");
  EXPECT_EQ(config.state_dir, m_root / ".orchestrate");
  EXPECT_EQ(config.memory_budget_bytes, 4ull << 30);
  EXPECT_EQ(config.keep_runs, 20);
  EXPECT_FALSE(config.allow_docker_socket_mount);
  EXPECT_EQ(config.defaults.parallel, 4);
  EXPECT_EQ(config.defaults.readiness_timeout, Milliseconds(60'000));
  EXPECT_EQ(config.defaults.stop_timeout, Milliseconds(0));
  EXPECT_EQ(config.defaults.lock_timeout, Milliseconds(600'000));
  EXPECT_EQ(config.defaults.test_timeout, Milliseconds(0));
  EXPECT_EQ(config.defaults.collect_timeout, Milliseconds(300'000));
  EXPECT_FALSE(config.defaults.reuse);
  EXPECT_EQ(config.defaults.reuse_ttl, Milliseconds(900'000));
  EXPECT_FALSE(config.defaults.start_slots.has_value());  // the engine's CPU count
  EXPECT_EQ(config.environments.count("dev"), 0u);
}

TEST_F(ProjectConfigLoaderTest, LoadsReuseDefaults)
{
  write_project("defaults:\n  reuse: true\n  reuse_ttl: 2m\n");

  const auto config = load_project();
  EXPECT_TRUE(config.defaults.reuse);
  EXPECT_EQ(config.defaults.reuse_ttl, Milliseconds(120'000));
}

TEST_F(ProjectConfigLoaderTest, RejectsAZeroReuseTtl)
{
  write_project("defaults:\n  reuse_ttl: 0\n");

  expect_error_at(config_error([this] { load_project(); }), "orchestrate.yaml", 6,
                  "'defaults.reuse_ttl' must be a duration longer than 0");
}

TEST_F(ProjectConfigLoaderTest, LoadsStartSlotsWhereZeroMeansUnlimited)
{
  write_project("defaults:\n  start_slots: 2\n");
  EXPECT_EQ(load_project().defaults.start_slots, 2);

  write_project("defaults:\n  start_slots: 0\n");
  EXPECT_EQ(load_project().defaults.start_slots, 0);
}

TEST_F(ProjectConfigLoaderTest, RejectsStartSlotsThatAreNotAWholeNumberOfZeroOrMore)
{
  write_project("defaults:\n  start_slots: -1\n");
  expect_error_at(config_error([this] { load_project(); }), "orchestrate.yaml", 6,
                  "'defaults.start_slots' must be an integer of at least 0");

  write_project("defaults:\n  start_slots: cores\n");
  expect_error_at(config_error([this] { load_project(); }), "orchestrate.yaml", 6,
                  "'defaults.start_slots' must be an integer of at least 0");
}

TEST_F(ProjectConfigLoaderTest, ResolvesARootGivenWithDotsToAPlainAbsolutePath)
{
  write_project();

  const auto config = load_project_config(m_root / "compose" / ".." / ".");

  EXPECT_EQ(config.root, m_root);
  EXPECT_EQ(config.suites_dir, m_root / "suites");
}

TEST_F(ProjectConfigLoaderTest, AcceptsCapitalisedBooleansAsYamlDoes)
{
  write_project("allow_docker_socket_mount: True\n");

  EXPECT_TRUE(load_project().allow_docker_socket_mount);
}

TEST_F(ProjectConfigLoaderTest, ReportsMissingFileAndHowToPointAtTheProject)
{
  const auto message = config_error([this] { load_project(); });

  EXPECT_EQ(message, (m_root / "orchestrate.yaml").string() +
                       ": file not found; run orchestrate from the project root or pass "
                       "--project-dir");
}

TEST_F(ProjectConfigLoaderTest, ReportsInvalidYamlWithItsLine)
{
  const auto message = error_for("project: shop\nenvironments: [a, b\ndefaults: {}\n");

  expect_error_at(message, "orchestrate.yaml", 3, "invalid YAML: end of sequence flow not found");
}

TEST_F(ProjectConfigLoaderTest, ReportsEmptyFileAtLineOne)
{
  const auto message = error_for("# nothing here yet\n");

  EXPECT_EQ(message, at("orchestrate.yaml", 1) + "file is empty; expected a mapping of keys");
}

TEST_F(ProjectConfigLoaderTest, ReportsRootThatIsNotAMapping)
{
  const auto message = error_for("- project\n- shop\n");

  EXPECT_EQ(message,
            at("orchestrate.yaml", 1) + "expected a mapping of keys at the top level, got a list");
}

TEST_F(ProjectConfigLoaderTest, RejectsUnknownTopLevelKeyListingTheKnownOnes)
{
  const auto message = error_with("memory_limit: 1g\n");

  EXPECT_EQ(message, at("orchestrate.yaml", 5) +
                       "unknown key 'memory_limit'; expected one of: project, environments, "
                       "python, suites_dir, fixtures_dir, lock_dir, state_dir, memory_budget, "
                       "allow_docker_socket_mount, defaults, policy, keep_runs, engines");
}

TEST_F(ProjectConfigLoaderTest, RejectsUnknownKeyInDefaultsWithFileAndLine)
{
  const auto message = error_with("defaults:\n  parallel: 2\n  paralel: 3\n");

  EXPECT_EQ(message, at("orchestrate.yaml", 7) +
                       "unknown key 'paralel' in 'defaults'; expected one of: parallel, "
                       "readiness_timeout, stop_timeout, lock_timeout, test_timeout, "
                       "collect_timeout, reuse, reuse_ttl, start_slots");
}

TEST_F(ProjectConfigLoaderTest, RejectsUnknownKeyInAnEnvironment)
{
  const auto message = error_for(
    "project: shop\nenvironments:\n  test:\n    compose_files: [compose/test.yml]\n"
    "    compose_file: [compose/test.yml]\n");

  expect_error_at(message, "orchestrate.yaml", 5,
                  "unknown key 'compose_file' in 'environments.test'; expected one of: "
                  "compose_files");
}

TEST_F(ProjectConfigLoaderTest, RejectsAKeyGivenTwice)
{
  const auto message = error_with("python: /usr/bin/python3\npython: python3\n");

  EXPECT_EQ(message, at("orchestrate.yaml", 6) + "key 'python' is given twice (first at line 5)");
}

TEST_F(ProjectConfigLoaderTest, RejectsAKeyThatIsNotAPlainName)
{
  const auto message = error_with("[a, b]: 1\n");

  expect_error_at(message, "orchestrate.yaml", 5, "keys must be plain names, got a list");
}

TEST_F(ProjectConfigLoaderTest, RejectsMissingProject)
{
  const auto message = error_for("environments:\n  test:\n    compose_files: [compose/test.yml]\n");

  EXPECT_EQ(message, at("orchestrate.yaml", 1) +
                       "missing required key 'project'; expected the compose project prefix, "
                       "e.g. 'project: shop'");
}

TEST_F(ProjectConfigLoaderTest, RejectsProjectNameThatComposeWouldRefuse)
{
  const auto message = error_for("\nproject: my shop!\n");

  EXPECT_EQ(message, at("orchestrate.yaml", 2) +
                       "'project' must be a compose project name (lowercase letters, digits, '_' "
                       "and '-', starting with a letter or digit), got 'my shop!'");
}

TEST_F(ProjectConfigLoaderTest, RejectsProjectNameStartingWithADash)
{
  expect_error_at(error_for("project: -shop\n"), "orchestrate.yaml", 1,
                  "'project' must be a compose project name");
}

TEST_F(ProjectConfigLoaderTest, RejectsProjectThatIsAList)
{
  expect_error_at(error_for("project: [shop]\n"), "orchestrate.yaml", 1,
                  "'project' must be a string, got a list");
}

TEST_F(ProjectConfigLoaderTest, RejectsMissingEnvironments)
{
  expect_error_at(error_for("project: shop\n"), "orchestrate.yaml", 1,
                  "missing required key 'environments'; expected a mapping with at least 'test");
}

TEST_F(ProjectConfigLoaderTest, RejectsEnvironmentsWithoutTest)
{
  write("compose/dev.yml", "services: {}\n");
  const auto message =
    error_for("project: shop\nenvironments:\n  dev:\n    compose_files: [compose/dev.yml]\n");

  EXPECT_EQ(message, at("orchestrate.yaml", 3) +
                       "'environments' must define 'test' (the stacks tests run against); "
                       "defined: dev");
}

TEST_F(ProjectConfigLoaderTest, RejectsEnvironmentsThatIsAList)
{
  expect_error_at(error_for("project: shop\nenvironments: [test]\n"), "orchestrate.yaml", 2,
                  "'environments' must be a mapping of keys, got a list");
}

TEST_F(ProjectConfigLoaderTest, RejectsEmptyEnvironmentAtItsKeyLine)
{
  expect_error_at(error_for("project: shop\nenvironments:\n  test:\n"), "orchestrate.yaml", 3,
                  "'environments.test' must be a mapping of keys, got an empty value");
}

TEST_F(ProjectConfigLoaderTest, RejectsEnvironmentNameThatCannotBePartOfAProjectName)
{
  const auto message = error_for(
    "project: shop\nenvironments:\n  test:\n    compose_files: [compose/test.yml]\n"
    "  Dev Box:\n    compose_files: [compose/test.yml]\n");

  expect_error_at(message, "orchestrate.yaml", 5,
                  "environment name 'Dev Box' must be lowercase letters, digits");
}

TEST_F(ProjectConfigLoaderTest, RejectsMissingComposeFiles)
{
  expect_error_at(error_for("project: shop\nenvironments:\n  test: {}\n"), "orchestrate.yaml", 3,
                  "missing required key 'compose_files' in 'environments.test'");
}

TEST_F(ProjectConfigLoaderTest, RejectsEmptyComposeFileList)
{
  const auto message =
    error_for("project: shop\nenvironments:\n  test:\n    compose_files: []\n");

  EXPECT_EQ(message, at("orchestrate.yaml", 4) +
                       "'environments.test.compose_files' must be a non-empty list of compose "
                       "file paths (relative to the project root), got an empty list");
}

TEST_F(ProjectConfigLoaderTest, RejectsComposeFileThatDoesNotExistAtTheLineOfTheItem)
{
  const auto message = error_for(
    "project: shop\nenvironments:\n  test:\n    compose_files:\n      - compose/test.yml\n"
    "      - compose/missing.yml\n");

  EXPECT_EQ(message, at("orchestrate.yaml", 6) +
                       "compose file 'compose/missing.yml' not found (looked for " +
                       (m_root / "compose/missing.yml").string() + ")");
}

TEST_F(ProjectConfigLoaderTest, ReadsParallelAutoAsTheRunsOwnChoice)
{
  write_project("defaults:\n  parallel: auto\n");

  const auto config = load_project();

  EXPECT_TRUE(config.defaults.parallel_auto);
}

TEST_F(ProjectConfigLoaderTest, LeavesParallelAutoOffForANumber)
{
  write_project("defaults:\n  parallel: 3\n");

  const auto config = load_project();

  EXPECT_FALSE(config.defaults.parallel_auto);
  EXPECT_EQ(config.defaults.parallel, 3);
}

TEST_F(ProjectConfigLoaderTest, RejectsParallelThatIsNotANumber)
{
  EXPECT_EQ(error_with("defaults:\n  parallel: ten\n"),
            at("orchestrate.yaml", 6) +
              "'defaults.parallel' must be a positive integer, got 'ten'");
}

TEST_F(ProjectConfigLoaderTest, RejectsParallelWithTrailingText)
{
  expect_error_at(error_with("defaults:\n  parallel: 4 shards\n"), "orchestrate.yaml", 6,
                  "'defaults.parallel' must be a positive integer, got '4 shards'");
}

TEST_F(ProjectConfigLoaderTest, RejectsZeroParallel)
{
  expect_error_at(error_with("defaults:\n  parallel: 0\n"), "orchestrate.yaml", 6,
                  "'defaults.parallel' must be a positive integer, got '0'");
}

TEST_F(ProjectConfigLoaderTest, RejectsEmptyParallelAtItsKeyLine)
{
  expect_error_at(error_with("defaults:\n  parallel:\n  stop_timeout: 1s\n"), "orchestrate.yaml",
                  6, "'defaults.parallel' must be a positive integer, got an empty value");
}

TEST_F(ProjectConfigLoaderTest, RejectsDurationWithUnknownUnit)
{
  expect_error_at(error_with("defaults:\n  lock_timeout: 10 minutes\n"), "orchestrate.yaml", 6,
                  "'defaults.lock_timeout' must be a duration such as 500ms, 30s, 10m or 1h (a "
                  "bare number is seconds), got '10 minutes'");
}

TEST_F(ProjectConfigLoaderTest, RejectsZeroReadinessTimeout)
{
  expect_error_at(error_with("defaults:\n  readiness_timeout: 0s\n"), "orchestrate.yaml", 6,
                  "'defaults.readiness_timeout' must be a duration longer than 0, got '0s'");
}

TEST_F(ProjectConfigLoaderTest, RejectsDefaultsThatIsNotAMapping)
{
  expect_error_at(error_with("defaults: [parallel]\n"), "orchestrate.yaml", 5,
                  "'defaults' must be a mapping of keys, got a list");
}

TEST_F(ProjectConfigLoaderTest, RejectsMemoryBudgetThatIsNotASize)
{
  EXPECT_EQ(error_with("memory_budget: lots\n"),
            at("orchestrate.yaml", 5) +
              "'memory_budget' must be a byte size such as 512MiB, 4GiB or 1g (binary units, a "
              "bare number is bytes), got 'lots'");
}

TEST_F(ProjectConfigLoaderTest, RejectsAMemoryBudgetThatOverflowsAtItsLine)
{
  // Before: saturated silently, and the preflight then refused the run (exit 7).
  expect_error_at(error_with("memory_budget: 99999999999999999999GiB\n"), "orchestrate.yaml", 5,
                  "'memory_budget' is out of range: at most 1PiB, got "
                  "'99999999999999999999GiB'");
}

TEST_F(ProjectConfigLoaderTest, RejectsAHugeLockTimeoutAtItsLine)
{
  expect_error_at(error_with("defaults:\n  lock_timeout: 99999999999999999999h\n"),
                  "orchestrate.yaml", 6,
                  "'defaults.lock_timeout' is out of range: at most 8760h (365 days), got "
                  "'99999999999999999999h'");
}

TEST_F(ProjectConfigLoaderTest, RejectsEveryDurationKeyBeyondAYear)
{
  for (const std::string key :
       {"readiness_timeout", "stop_timeout", "lock_timeout", "test_timeout"}) {
    expect_error_at(error_with("defaults:\n  " + key + ": 8761h\n"), "orchestrate.yaml", 6,
                    "'defaults." + key + "' is out of range: at most 8760h");
  }
  write_project("defaults:\n  lock_timeout: 8760h\n");
  EXPECT_EQ(load_project().defaults.lock_timeout, std::chrono::hours(8760));
}

TEST_F(ProjectConfigLoaderTest, RejectsCountsThatOverflowAnInteger)
{
  expect_error_at(error_with("defaults:\n  parallel: 99999999999999999999\n"), "orchestrate.yaml",
                  6, "'defaults.parallel' must be a positive integer, got "
                     "'99999999999999999999'");
  expect_error_at(error_with("keep_runs: 3000000000\n"), "orchestrate.yaml", 5,
                  "'keep_runs' must be an integer of at least 0, got '3000000000'");
  expect_error_at(error_with("keep_runs: -1\n"), "orchestrate.yaml", 5,
                  "'keep_runs' must be an integer of at least 0, got '-1'");
}

TEST_F(ProjectConfigLoaderTest, ReportsNestingBeyondTheParserLimitWithTheLimit)
{
  // Before: yaml-cpp's own message, "bad file".
  std::string deep = "project: shop\nextra: ";
  for (int level = 0; level < 3000; ++level) {
    deep += "{k: ";
  }
  deep += "v" + std::string(3000, '}') + "\n";
  const auto message = error_for(deep);
  EXPECT_EQ(message.rfind((m_root / "orchestrate.yaml").string() + ":", 0), 0u) << message;
  EXPECT_NE(message.find("nested deeper than the YAML parser's limit of 2000 levels"),
            std::string::npos)
    << message;
  EXPECT_EQ(message.find("bad file"), std::string::npos) << message;
}

TEST_F(ProjectConfigLoaderTest, RejectsZeroMemoryBudget)
{
  expect_error_at(error_with("memory_budget: 0g\n"), "orchestrate.yaml", 5,
                  "'memory_budget' must be a byte size larger than 0, got '0g'");
}

TEST_F(ProjectConfigLoaderTest, RejectsBoolThatIsNotTrueOrFalse)
{
  EXPECT_EQ(error_with("allow_docker_socket_mount: yes\n"),
            at("orchestrate.yaml", 5) +
              "'allow_docker_socket_mount' must be true or false, got 'yes'");
}

TEST_F(ProjectConfigLoaderTest, RejectsEmptyPython)
{
  expect_error_at(error_with("python: ''\n"), "orchestrate.yaml", 5,
                  "'python' must be a path to a Python interpreter, got ''");
}

TEST_F(ProjectConfigLoaderTest, RejectsFolderThatIsAMapping)
{
  expect_error_at(error_with("suites_dir: {path: suites}\n"), "orchestrate.yaml", 5,
                  "'suites_dir' must be a string, got a mapping");
}

TEST_F(ProjectConfigLoaderTest, ReadsPolicyLevelsAndLeavesOtherRulesAtError)
{
  write_project("policy:\n  log-rotation: off\n  cpu-limit: warn\n  memory-limit: error\n");

  const auto config = load_project();

  EXPECT_EQ(config.policy.size(), 3u);
  EXPECT_EQ(config.policy.at("log-rotation"), RuleLevel::k_off);
  EXPECT_EQ(config.policy.at("cpu-limit"), RuleLevel::k_warn);
  EXPECT_EQ(config.policy.at("memory-limit"), RuleLevel::k_error);
  EXPECT_EQ(config.policy.count("privileged"), 0u);
}

TEST_F(ProjectConfigLoaderTest, UnknownPolicyRuleIsAnErrorAtItsLineListingTheRules)
{
  const auto message = error_with("policy:\n  log-rotation: off\n  log-rotaton: warn\n");
  expect_error_at(message, "orchestrate.yaml", 7, "unknown key 'log-rotaton'");
  EXPECT_NE(message.find("fixed-host-port"), std::string::npos) << message;
}

TEST_F(ProjectConfigLoaderTest, BadPolicyLevelIsAnErrorAtItsLine)
{
  expect_error_at(error_with("policy:\n  log-rotation: false\n"), "orchestrate.yaml", 6,
                  "'policy.log-rotation' must be error, warn or off, got 'false'");
}

TEST_F(ProjectConfigLoaderTest, PolicyThatIsNotAMappingIsAnError)
{
  expect_error_at(error_with("policy: [log-rotation]\n"), "orchestrate.yaml", 5, "'policy'");
}

}  // namespace
}  // namespace orchestrate
