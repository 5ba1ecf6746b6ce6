#include "ConfigTestProject.hpp"

namespace orchestrate {
namespace {

class FixtureConfigLoaderTest : public ConfigTestProject
{
protected:
  void SetUp() override
  {
    ConfigTestProject::SetUp();
    write_project();
  }

  // Writes fixtures/<name>.yaml and loads it.
  FixtureConfig load_fixture(const std::string& text, const std::string& name = "f") const
  {
    write("fixtures/" + name + ".yaml", text);
    return load_fixture_config(load_project(), name);
  }

  // The message of loading fixtures/f.yaml with `text` as its content.
  std::string error_for(const std::string& text) const
  {
    return config_error([&] { load_fixture(text); });
  }
};

TEST_F(FixtureConfigLoaderTest, LoadsEveryValueOfAGoodFile)
{
  const auto fixture = load_fixture(R"(service: test-postgres
port: 5432
readiness:
  kind: log
  log: "ready to accept"
environment:
  DATABASE_URL: "postgresql://postgres@{host}:{port}/postgres"
  PGPORT: 5432
)",
                                    "postgres");

  EXPECT_EQ(fixture.name, "postgres");
  EXPECT_EQ(fixture.source_path, m_root / "fixtures/postgres.yaml");
  EXPECT_EQ(fixture.service, "test-postgres");
  EXPECT_EQ(fixture.container_port, 5432);
  EXPECT_EQ(fixture.readiness.kind, ReadinessSpec::Kind::k_log_line);
  EXPECT_EQ(fixture.readiness.log_pattern, "ready to accept");
  EXPECT_EQ(fixture.environment,
            (std::map<std::string, std::string>{
              {"DATABASE_URL", "postgresql://postgres@{host}:{port}/postgres"},
              {"PGPORT", "5432"}}));
}

TEST_F(FixtureConfigLoaderTest, DefaultsToHealthReadinessAndNoEnvironment)
{
  const auto fixture = load_fixture("service: cache\nport: 6379\n");

  EXPECT_EQ(fixture.readiness.kind, ReadinessSpec::Kind::k_health);
  EXPECT_TRUE(fixture.readiness.log_pattern.empty());
  EXPECT_TRUE(fixture.environment.empty());
}

TEST_F(FixtureConfigLoaderTest, LoadsPortReadiness)
{
  const auto fixture = load_fixture("service: cache\nport: 6379\nreadiness: {kind: port}\n");

  EXPECT_EQ(fixture.readiness.kind, ReadinessSpec::Kind::k_port);
}

TEST_F(FixtureConfigLoaderTest, KeepsBracesThatAreNotPlaceholders)
{
  const auto fixture =
    load_fixture("service: s\nport: 1\nenvironment:\n  JSON: '{\"host\": \"{host}\"}'\n");

  EXPECT_EQ(fixture.environment.at("JSON"), "{\"host\": \"{host}\"}");
}

TEST_F(FixtureConfigLoaderTest, ReportsUnknownFixtureListingTheFixturesThatExist)
{
  write("fixtures/redis.yaml", "service: cache\nport: 6379\n");

  const auto message = config_error([this] { load_fixture_config(load_project(), "pg"); });

  EXPECT_EQ(message, "unknown fixture 'pg'; fixtures in " + (m_root / "fixtures").string() +
                       ": redis");
}

TEST_F(FixtureConfigLoaderTest, RejectsUnknownKey)
{
  EXPECT_EQ(error_for("service: s\nport: 1\nhealthcheck: true\n"),
            at("fixtures/f.yaml", 3) +
              "unknown key 'healthcheck'; expected one of: service, port, readiness, environment, "
              "reset");
}

TEST_F(FixtureConfigLoaderTest, ResetsByRecreatingWhenNoResetIsGiven)
{
  const auto fixture = load_fixture("service: cache\nport: 6379\n");
  EXPECT_EQ(fixture.reset.kind, ResetSpec::Kind::k_recreate);
  EXPECT_EQ(fixture.reset.line, 0);
}

TEST_F(FixtureConfigLoaderTest, LoadsEachKindOfReset)
{
  EXPECT_EQ(load_fixture("service: s\nport: 1\nreset: none\n").reset.kind, ResetSpec::Kind::k_none);
  EXPECT_EQ(load_fixture("service: s\nport: 1\nreset: recreate\n").reset.kind,
            ResetSpec::Kind::k_recreate);
  const auto exec = load_fixture(
    "service: s\nport: 1\nreset: {exec: [redis-cli, FLUSHALL], timeout: 5s}\n").reset;
  EXPECT_EQ(exec.kind, ResetSpec::Kind::k_exec);
  EXPECT_EQ(exec.argv, (std::vector<std::string>{"redis-cli", "FLUSHALL"}));
  EXPECT_EQ(exec.timeout, Milliseconds(5'000));
  EXPECT_EQ(exec.line, 3);
}

TEST_F(FixtureConfigLoaderTest, RejectsAnUnknownResetWord)
{
  expect_error_at(error_for("service: s\nport: 1\nreset: flush\n"), "fixtures/f.yaml", 3,
                  "'reset' must be recreate, none, or {exec:");
}

TEST_F(FixtureConfigLoaderTest, RejectsAResetWhoseExecIsAShellString)
{
  expect_error_at(error_for("service: s\nport: 1\nreset:\n  exec: redis-cli FLUSHALL\n"),
                  "fixtures/f.yaml", 4, "'reset.exec' must be a non-empty list of strings (an argv");
}

TEST_F(FixtureConfigLoaderTest, RejectsAnEmptyResetExec)
{
  expect_error_at(error_for("service: s\nport: 1\nreset: {exec: []}\n"), "fixtures/f.yaml", 3,
                  "reset.exec");
}

TEST_F(FixtureConfigLoaderTest, RejectsAnUnknownKeyOfTheResetMapping)
{
  expect_error_at(error_for("service: s\nport: 1\nreset:\n  exec: [a]\n  shell: true\n"),
                  "fixtures/f.yaml", 5, "unknown key 'shell' in 'reset'; expected one of: exec, timeout");
}

TEST_F(FixtureConfigLoaderTest, RejectsAResetThatIsAList)
{
  expect_error_at(error_for("service: s\nport: 1\nreset: [a]\n"), "fixtures/f.yaml", 3,
                  "'reset' must be recreate, none");
}

TEST_F(FixtureConfigLoaderTest, RejectsMissingService)
{
  EXPECT_EQ(error_for("port: 5432\n"),
            at("fixtures/f.yaml", 1) +
              "missing required key 'service'; expected the compose service name (a string)");
}

TEST_F(FixtureConfigLoaderTest, RejectsServiceThatIsAList)
{
  expect_error_at(error_for("service: [a]\nport: 1\n"), "fixtures/f.yaml", 1,
                  "'service' must be a string, got a list");
}

TEST_F(FixtureConfigLoaderTest, RejectsMissingPort)
{
  expect_error_at(error_for("service: s\n"), "fixtures/f.yaml", 1,
                  "missing required key 'port'; expected the port inside the container");
}

TEST_F(FixtureConfigLoaderTest, RejectsPortOutOfRange)
{
  EXPECT_EQ(error_for("service: s\nport: 99999\n"),
            at("fixtures/f.yaml", 2) + "'port' must be an integer from 1 to 65535, got '99999'");
}

TEST_F(FixtureConfigLoaderTest, RejectsPortThatIsNotANumber)
{
  expect_error_at(error_for("service: s\nport: postgres\n"), "fixtures/f.yaml", 2,
                  "'port' must be an integer from 1 to 65535, got 'postgres'");
}

TEST_F(FixtureConfigLoaderTest, RejectsReadinessThatIsAString)
{
  expect_error_at(error_for("service: s\nport: 1\nreadiness: health\n"), "fixtures/f.yaml", 3,
                  "'readiness' must be a mapping of keys, got 'health'");
}

TEST_F(FixtureConfigLoaderTest, RejectsUnknownReadinessKind)
{
  EXPECT_EQ(error_for("service: s\nport: 1\nreadiness:\n  kind: http\n"),
            at("fixtures/f.yaml", 4) +
              "'readiness.kind' must be one of: health, port or log, got 'http'");
}

TEST_F(FixtureConfigLoaderTest, RejectsUnknownKeyInReadiness)
{
  expect_error_at(error_for("service: s\nport: 1\nreadiness:\n  kind: log\n  pattern: x\n"),
                  "fixtures/f.yaml", 5,
                  "unknown key 'pattern' in 'readiness'; expected one of: kind, log");
}

TEST_F(FixtureConfigLoaderTest, RejectsLogKindWithoutLog)
{
  expect_error_at(error_for("service: s\nport: 1\nreadiness:\n  kind: log\n"), "fixtures/f.yaml",
                  4, "missing required key 'log' in 'readiness'");
}

TEST_F(FixtureConfigLoaderTest, RejectsEmptyLogPattern)
{
  expect_error_at(error_for("service: s\nport: 1\nreadiness:\n  kind: log\n  log: ''\n"),
                  "fixtures/f.yaml", 5, "'readiness.log' must be a non-empty text");
}

TEST_F(FixtureConfigLoaderTest, RejectsLogWithAnotherKind)
{
  EXPECT_EQ(error_for("service: s\nport: 1\nreadiness:\n  kind: port\n  log: ready\n"),
            at("fixtures/f.yaml", 5) +
              "'readiness.log' is only used with 'kind: log'; this fixture's kind is 'port'");
}

TEST_F(FixtureConfigLoaderTest, RejectsLogWithoutKindBecauseTheDefaultIsHealth)
{
  expect_error_at(error_for("service: s\nport: 1\nreadiness:\n  log: ready\n"), "fixtures/f.yaml",
                  4, "this fixture's kind is 'health'");
}

TEST_F(FixtureConfigLoaderTest, RejectsEnvironmentThatIsAList)
{
  expect_error_at(error_for("service: s\nport: 1\nenvironment:\n  - A=b\n"), "fixtures/f.yaml", 4,
                  "'environment' must be a mapping of keys, got a list");
}

TEST_F(FixtureConfigLoaderTest, RejectsInvalidVariableName)
{
  EXPECT_EQ(error_for("service: s\nport: 1\nenvironment:\n  DATABASE-URL: x\n"),
            at("fixtures/f.yaml", 4) +
              "'DATABASE-URL' is not a valid environment variable name; expected letters, "
              "digits and '_', not starting with a digit");
}

TEST_F(FixtureConfigLoaderTest, RejectsVariableThatOrchestrateSetsItself)
{
  expect_error_at(
    error_for("service: s\nport: 1\nenvironment:\n  ORCHESTRATE_SHARD_INDEX: '1'\n"),
    "fixtures/f.yaml", 4, "'ORCHESTRATE_SHARD_INDEX' is set by orchestrate itself");
}

TEST_F(FixtureConfigLoaderTest, RejectsVariableGivenTwice)
{
  expect_error_at(error_for("service: s\nport: 1\nenvironment:\n  A: x\n  A: y\n"),
                  "fixtures/f.yaml", 5, "environment variable 'A' is given twice");
}

TEST_F(FixtureConfigLoaderTest, RejectsVariableValueThatIsAMapping)
{
  expect_error_at(error_for("service: s\nport: 1\nenvironment:\n  A:\n    b: c\n"),
                  "fixtures/f.yaml", 5, "'environment.A' must be a string, got a mapping");
}

TEST_F(FixtureConfigLoaderTest, RejectsUnknownPlaceholder)
{
  EXPECT_EQ(error_for("service: s\nport: 1\nenvironment:\n  URL: \"redis://{hostname}:{port}\"\n"),
            at("fixtures/f.yaml", 4) +
              "unknown placeholder '{hostname}' in 'environment.URL'; expected {host} or {port}");
}

}  // namespace
}  // namespace orchestrate
