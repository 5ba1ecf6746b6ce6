// One passing and one failing compose file for each rule, plus the variants each rule accepts.

#include "ComposeLintTestBase.hpp"

namespace orchestrate {
namespace {

class LintRuleChecksTest : public ComposeLintTestBase
{
};

TEST_F(LintRuleChecksTest, PassesAServiceThatFollowsEveryRule)
{
  expect_clean({write("compose.yml", clean_compose())}, gated_on_health({"app"}));
}

// memory-limit

TEST_F(LintRuleChecksTest, PassesAMemoryLimitGivenAsMemLimit)
{
  const auto file = write("compose.yml",
                          "services:\n"
                          "  app:\n"
                          "    image: orchestrate/busybox:latest\n"
                          "    mem_limit: 64m\n"
                          "    cpus: 0.5\n"
                          "    logging: {driver: local}\n");
  expect_clean({file});
}

TEST_F(LintRuleChecksTest, ReportsAServiceWithoutMemoryLimitAtTheServiceLine)
{
  const auto file = write("compose.yml",
                          "# a comment\n"
                          "services:\n"
                          "  app:\n"
                          "    image: orchestrate/busybox:latest\n"
                          "    deploy: {resources: {limits: {cpus: \"0.5\"}}}\n"
                          "    logging: {driver: local}\n");
  const auto message = expect_one_violation({file}, "memory-limit", file, 3, "app");
  EXPECT_TRUE(contains(message, "no memory limit"));
}

TEST_F(LintRuleChecksTest, ReportsAMemoryLimitOfZeroAtItsKey)
{
  const auto file = write("compose.yml",
                          "services:\n"
                          "  app:\n"
                          "    image: orchestrate/busybox:latest\n"
                          "    deploy:\n"
                          "      resources:\n"
                          "        limits:\n"
                          "          cpus: \"0.5\"\n"
                          "          memory: 0\n"
                          "    logging: {driver: local}\n");
  const auto message = expect_one_violation({file}, "memory-limit", file, 8, "app");
  EXPECT_TRUE(contains(message, "0 means no limit"));
}

// cpu-limit

TEST_F(LintRuleChecksTest, ReportsAServiceWithoutCpuLimitAtTheServiceLine)
{
  const auto file = write("compose.yml",
                          "services:\n"
                          "  db:\n"
                          "    image: orchestrate/postgres:latest\n"
                          "    deploy: {resources: {limits: {memory: 64M}}}\n"
                          "    logging: {driver: local}\n");
  const auto message = expect_one_violation({file}, "cpu-limit", file, 2, "db");
  EXPECT_TRUE(contains(message, "no CPU limit"));
}

// tmpfs-size

TEST_F(LintRuleChecksTest, PassesTmpfsMountsThatHaveASize)
{
  const auto file = write("compose.yml", clean_compose("    tmpfs:\n"
                                                       "      - /data:size=64m,mode=0700\n"
                                                       "      - /run:uid=1,size=1m\n"
                                                       "    volumes:\n"
                                                       "      - type: tmpfs\n"
                                                       "        target: /cache\n"
                                                       "        tmpfs: {size: 1048576}\n"));
  expect_clean({file});
}

TEST_F(LintRuleChecksTest, ReportsAShortSyntaxTmpfsWithoutSizeAtItsItem)
{
  const auto file = write("compose.yml", clean_compose("    tmpfs:\n"
                                                       "      - /data:size=64m\n"
                                                       "      - /scratch:mode=0700\n"));
  const auto message = expect_one_violation({file}, "tmpfs-size", file, k_first_extra_line + 2,
                                            "app");
  EXPECT_TRUE(contains(message, "tmpfs /scratch has no size"));
}

TEST_F(LintRuleChecksTest, ReportsATmpfsGivenAsOneStringWithoutSize)
{
  const auto file = write("compose.yml", clean_compose("    tmpfs: /run\n"));
  expect_one_violation({file}, "tmpfs-size", file, k_first_extra_line, "app");
}

TEST_F(LintRuleChecksTest, ReportsATmpfsOfSizeZero)
{
  const auto file = write("compose.yml", clean_compose("    tmpfs: [\"/data:size=0\"]\n"));
  const auto message = expect_one_violation({file}, "tmpfs-size", file, k_first_extra_line,
                                            "app");
  EXPECT_TRUE(contains(message, "size 0"));
}

TEST_F(LintRuleChecksTest, ReportsALongSyntaxTmpfsVolumeWithoutSizeAtItsItem)
{
  const auto file = write("compose.yml", clean_compose("    volumes:\n"
                                                       "      - ./config:/etc/app:ro\n"
                                                       "      - type: tmpfs\n"
                                                       "        target: /cache\n"));
  const auto message = expect_one_violation({file}, "tmpfs-size", file, k_first_extra_line + 2,
                                            "app");
  EXPECT_TRUE(contains(message, "tmpfs /cache has no size"));
}

// healthcheck

TEST_F(LintRuleChecksTest, AcceptsAServiceWithoutHealthcheckThatNoFixtureGatesOnHealth)
{
  expect_clean({write("compose.yml", "services:\n" + limited_service("app", k_local_logging))});
}

TEST_F(LintRuleChecksTest, ReportsAHealthGatedServiceWithoutHealthcheckAtTheServiceLine)
{
  const auto file =
    write("compose.yml", "services:\n" + limited_service("cache", k_local_logging));
  const auto message = expect_one_violation({file}, "healthcheck", file, 2, "cache",
                                            gated_on_health({"cache", "not-in-this-file"}));
  EXPECT_TRUE(contains(message, "no healthcheck"));
}

TEST_F(LintRuleChecksTest, ReportsADisabledHealthcheckOfAHealthGatedServiceAtTheDisableKey)
{
  const auto file = write("compose.yml",
                          "services:\n" + limited_service("app", std::string(k_local_logging) +
                                                                   "    healthcheck:\n"
                                                                   "      test: [CMD, x]\n"
                                                                   "      disable: true\n"));
  const auto message = expect_one_violation({file}, "healthcheck", file, 7, "app",
                                            gated_on_health({"app"}));
  EXPECT_TRUE(contains(message, "disabled"));
}

TEST_F(LintRuleChecksTest, ReportsAHealthcheckWhoseTestIsNone)
{
  const auto file = write("compose.yml",
                          "services:\n" + limited_service("app", std::string(k_local_logging) +
                                                                   "    healthcheck:\n"
                                                                   "      test: [NONE]\n"));
  const auto message = expect_one_violation({file}, "healthcheck", file, 6, "app",
                                            gated_on_health({"app"}));
  EXPECT_TRUE(contains(message, "NONE"));
}

// log-rotation

TEST_F(LintRuleChecksTest, PassesTheLocalAndNoneDriversAndJsonFileWithMaxSize)
{
  const auto file = write("compose.yml", "services:\n" + limited_service("a", k_local_logging) +
                                           limited_service("b",
                                                           "    logging:\n"
                                                           "      driver: none\n") +
                                           limited_service("c",
                                                           "    logging:\n"
                                                           "      options: {max-size: 5m}\n"));
  expect_clean({file});
}

TEST_F(LintRuleChecksTest, ReportsAServiceWithoutLoggingSettingsAtTheServiceLine)
{
  const auto file = write("compose.yml", "services:\n" + limited_service("app", ""));
  const auto message = expect_one_violation({file}, "log-rotation", file, 2, "app");
  EXPECT_TRUE(contains(message, "no logging settings"));
}

TEST_F(LintRuleChecksTest, ReportsJsonFileLoggingWithoutMaxSizeAtTheDriverKey)
{
  const auto file = write("compose.yml", "services:\n" + limited_service("app",
                                                                         "    logging:\n"
                                                                         "      driver: json-file\n"
                                                                         "      options: {}\n"));
  const auto message = expect_one_violation({file}, "log-rotation", file, 5, "app");
  EXPECT_TRUE(contains(message, "max-size"));
}

TEST_F(LintRuleChecksTest, ReportsAMaxSizeOfMinusOneAndADriverThatCannotBeBounded)
{
  const auto file = write("compose.yml",
                          "services:\n" +
                            limited_service("a", "    logging: {options: {max-size: \"-1\"}}\n") +
                            limited_service("b",
                                            "    logging:\n"
                                            "      driver: syslog\n"));
  const auto violations = violations_of("log-rotation", {file});
  ASSERT_EQ(violations.size(), 2u) << describe(violations);
  EXPECT_EQ(violations[0].service, "a");
  EXPECT_EQ(violations[0].line, 4);
  EXPECT_EQ(violations[1].service, "b");
  EXPECT_EQ(violations[1].line, 8);
  EXPECT_TRUE(contains(violations[1].message, "'syslog'"));
}

// container-name

TEST_F(LintRuleChecksTest, ReportsAContainerNameAtItsKey)
{
  const auto file = write("compose.yml", clean_compose("    container_name: shop-db\n", "db"));
  const auto message = expect_one_violation({file}, "container-name", file, k_first_extra_line,
                                            "db");
  EXPECT_TRUE(contains(message, "'shop-db'"));
}

// fixed-host-port

TEST_F(LintRuleChecksTest, PassesPortsWithoutAFixedHostPort)
{
  const auto file = write("compose.yml", clean_compose("    ports:\n"
                                                       "      - \"127.0.0.1::5432\"\n"
                                                       "      - \"80\"\n"
                                                       "      - 81\n"
                                                       "      - \"0:82/udp\"\n"
                                                       "      - target: 83\n"
                                                       "        host_ip: 127.0.0.1\n"
                                                       "    expose: [\"9000\"]\n"));
  expect_clean({file});
}

TEST_F(LintRuleChecksTest, ReportsEachShortSyntaxPortWithAHostPortAtItsItem)
{
  const auto file = write("compose.yml", clean_compose("    ports:\n"
                                                       "      - \"127.0.0.1::5432\"\n"
                                                       "      - \"8080:80\"\n"
                                                       "      - \"127.0.0.1:6379:6379/tcp\"\n"));
  const auto violations = violations_of("fixed-host-port", {file});
  ASSERT_EQ(violations.size(), 2u) << describe(violations);
  EXPECT_EQ(violations[0].file, file);
  EXPECT_EQ(violations[0].line, k_first_extra_line + 2);
  EXPECT_EQ(violations[0].service, "app");
  EXPECT_TRUE(contains(violations[0].message, "'127.0.0.1::80'"));
  EXPECT_EQ(violations[1].line, k_first_extra_line + 3);
  EXPECT_TRUE(contains(violations[1].message, "fixed host port 6379"));
}

TEST_F(LintRuleChecksTest, ReportsALongSyntaxPublishedPortAtThePublishedKey)
{
  const auto file = write("compose.yml", clean_compose("    ports:\n"
                                                       "      - target: 80\n"
                                                       "        published: 8080\n"));
  expect_one_violation({file}, "fixed-host-port", file, k_first_extra_line + 2, "app");
}

TEST_F(LintRuleChecksTest, ReportsHostNetworkModeAsFixedHostPorts)
{
  const auto file = write("compose.yml", clean_compose("    network_mode: host\n"));
  expect_one_violation({file}, "fixed-host-port", file, k_first_extra_line, "app");
}

// privileged

TEST_F(LintRuleChecksTest, PassesPrivilegedFalse)
{
  expect_clean({write("compose.yml", clean_compose("    privileged: false\n"))});
}

TEST_F(LintRuleChecksTest, ReportsPrivilegedTrueAtItsKey)
{
  const auto file = write("compose.yml", clean_compose("    privileged: true\n"));
  expect_one_violation({file}, "privileged", file, k_first_extra_line, "app");
}

// docker-socket

TEST_F(LintRuleChecksTest, PassesOrdinaryMountsAndASocketMountWhenAllowed)
{
  const auto file = write("compose.yml",
                          clean_compose("    volumes:\n"
                                        "      - ./data:/data\n"
                                        "      - /var/run/docker.sock:/var/run/docker.sock\n"));
  LintOptions allowed;
  allowed.allow_docker_socket_mount = true;
  expect_clean({file}, allowed);
  expect_clean({write("other.yml", clean_compose("    volumes: [\"cache:/var/cache\", /tmp]\n"))});
}

TEST_F(LintRuleChecksTest, ReportsAShortSyntaxDockerSocketMountAtItsItem)
{
  const auto file = write("compose.yml",
                          clean_compose("    volumes:\n"
                                        "      - ./data:/data\n"
                                        "      - /run/docker.sock:/docker.sock:ro\n"));
  const auto message = expect_one_violation({file}, "docker-socket", file,
                                            k_first_extra_line + 2, "app");
  EXPECT_TRUE(contains(message, "allow_docker_socket_mount"));
}

TEST_F(LintRuleChecksTest, ReportsALongSyntaxDockerSocketMountAndTheFolderHoldingIt)
{
  const auto file = write("compose.yml", clean_compose("    volumes:\n"
                                                       "      - type: bind\n"
                                                       "        source: /var/run/docker.sock\n"
                                                       "        target: /sock\n"
                                                       "      - /var/run/:/host-run\n"));
  const auto violations = violations_of("docker-socket", {file});
  ASSERT_EQ(violations.size(), 2u) << describe(violations);
  EXPECT_EQ(violations[0].line, k_first_extra_line + 1);
  EXPECT_EQ(violations[1].line, k_first_extra_line + 4);
}

}  // namespace
}  // namespace orchestrate
