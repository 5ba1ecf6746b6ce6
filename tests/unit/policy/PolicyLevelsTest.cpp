// orchestrate.yaml's `policy`: each rule at error (default), warn or off; and the fixture ports
// that orchestrate publishes itself, which fixed-host-port does not report for the test stacks.

#include "ComposeLintTestBase.hpp"
#include "policy/LintRules.hpp"
#include "policy/ProjectLintOptions.hpp"

namespace orchestrate {
namespace {

class PolicyLevelsTest : public ComposeLintTestBase
{
protected:
  // A service without logging settings (log-rotation) that publishes a fixed host port.
  std::filesystem::path unrotated_fixed_port_file() const
  {
    return write("compose.yml", "services:\n" +
                                  limited_service("db", "    image: orchestrate/postgres\n"
                                                        "    ports: [\"5432:5432\"]\n"));
  }
};

TEST_F(PolicyLevelsTest, EveryRuleIsAnErrorByDefault)
{
  const auto violations = lint_compose_files({unrotated_fixed_port_file()}, {});
  ASSERT_EQ(violations.size(), 2u) << describe(violations);
  EXPECT_TRUE(has_errors(violations));
  for (const auto& violation : violations) {
    EXPECT_EQ(violation.level, RuleLevel::k_error);
  }
}

TEST_F(PolicyLevelsTest, OffSkipsARuleAndWarnKeepsItWithoutError)
{
  LintOptions options;
  options.levels = {{"log-rotation", RuleLevel::k_off}, {"fixed-host-port", RuleLevel::k_warn}};

  const auto violations = lint_compose_files({unrotated_fixed_port_file()}, options);

  ASSERT_EQ(violations.size(), 1u) << describe(violations);
  EXPECT_EQ(violations.front().rule, "fixed-host-port");
  EXPECT_EQ(violations.front().level, RuleLevel::k_warn);
  EXPECT_FALSE(has_errors(violations));
  EXPECT_EQ(format_violation(violations.front()).rfind("warning: ", 0), 0u)
    << format_violation(violations.front());
}

TEST_F(PolicyLevelsTest, AnErrorRuleBesideAWarnRuleStillRefuses)
{
  LintOptions options;
  options.levels = {{"log-rotation", RuleLevel::k_warn}};

  const auto violations = lint_compose_files({unrotated_fixed_port_file()}, options);

  EXPECT_EQ(violations.size(), 2u) << describe(violations);
  EXPECT_TRUE(has_errors(violations));
}

TEST_F(PolicyLevelsTest, AFixedHostPortOfAFixturesPortIsNotReportedSinceOrchestrateReplacesIt)
{
  const auto file = write("compose.yml",
                          "services:\n" +
                            limited_service("db", std::string(k_clean_settings) +
                                                    "    ports:\n"
                                                    "      - \"5432:5432\"\n"
                                                    "      - {target: 5432, published: 5433}\n"
                                                    "      - \"9187:9187\"\n"));
  LintOptions options;
  options.replaced_ports = {{"db", {5432}}};

  const auto violations = violations_of("fixed-host-port", {file}, options);

  ASSERT_EQ(violations.size(), 1u) << describe(violations);
  EXPECT_NE(violations.front().message.find("9187"), std::string::npos);
}

TEST_F(PolicyLevelsTest, ProjectOptionsCarryThePolicyAndTheFixturePorts)
{
  ProjectConfig project;
  project.policy = {{"log-rotation", RuleLevel::k_off}};
  FixtureConfig fixture;
  fixture.service = "db";
  fixture.container_port = 5432;

  const auto options = lint_options_for_fixtures(project, {fixture});

  EXPECT_EQ(options.levels, project.policy);
  EXPECT_EQ(options.replaced_ports.at("db"), std::set<int>{5432});
}

TEST(PolicyRuleNamesTest, TheHeaderOnlyNamesMatchTheRules)
{
  ASSERT_EQ(lint_rule::k_names.size(), lint_rules().size());
  for (std::size_t i = 0; i < lint_rules().size(); ++i) {
    EXPECT_EQ(lint_rules()[i].name, lint_rule::k_names[i]);
  }
}

}  // namespace
}  // namespace orchestrate
