#include "config/ProjectConfig.hpp"
#include "config/SuiteConfig.hpp"
#include "policy/ComposeLint.hpp"
#include "policy/ProjectLintOptions.hpp"

#include <gtest/gtest.h>

#include <set>

namespace orchestrate {
namespace {

TEST(LintRulesTest, ListsEveryRuleOnceWithASummaryAndAReason)
{
  const std::vector<std::string> expected{"memory-limit",   "cpu-limit",      "tmpfs-size",
                                          "healthcheck",    "log-rotation",   "container-name",
                                          "fixed-host-port", "privileged",    "docker-socket"};
  std::vector<std::string> names;
  for (const auto& rule : lint_rules()) {
    names.push_back(rule.name);
    EXPECT_FALSE(rule.summary.empty()) << rule.name;
    EXPECT_GT(rule.why.size(), rule.summary.size()) << rule.name;
  }
  EXPECT_EQ(names, expected);
}

TEST(LintRulesTest, FindsARuleByName)
{
  const auto* rule = find_lint_rule("docker-socket");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->name, "docker-socket");
  EXPECT_NE(rule->why.find("allow_docker_socket_mount"), std::string::npos);
  EXPECT_EQ(find_lint_rule("no-such-rule"), nullptr);
}

TEST(LintRulesTest, FormatsAViolationAsFileLineRuleServiceMessage)
{
  const LintViolation violation{"memory-limit", "compose/test.yml", 12, "test-redis",
                                "no memory limit"};
  EXPECT_EQ(format_violation(violation),
            "compose/test.yml:12: [memory-limit] service 'test-redis': no memory limit");
}

TEST(LintRulesTest, TakesHealthGatedServicesFromFixturesThatWaitForHealth)
{
  ProjectConfig project;
  project.allow_docker_socket_mount = true;
  FixtureConfig health;
  health.service = "test-postgres";
  FixtureConfig port;
  port.service = "test-web";
  port.readiness.kind = ReadinessSpec::Kind::k_port;

  const auto options = lint_options_for_fixtures(project, {health, port});
  EXPECT_TRUE(options.allow_docker_socket_mount);
  EXPECT_EQ(options.health_gated_services, std::set<std::string>{"test-postgres"});
}

}  // namespace
}  // namespace orchestrate
