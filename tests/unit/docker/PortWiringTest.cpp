// Which host port tests are handed, and the check that it is wired to the shard's own stack. The
// bindings below are what engine 20.10 reports for `ports: ["5432"]`: 0.0.0.0 and [::] on two
// different host ports.

#include "core/Error.hpp"
#include "docker/ComposeModel.hpp"
#include "docker/FixturePorts.hpp"
#include "docker/PortWiring.hpp"
#include "docker/ResourceLabels.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

ContainerSummary container(const std::string& name, const std::string& stack,
                           const std::string& service, std::vector<PortBinding> bindings)
{
  ContainerSummary summary;
  summary.name = name;
  summary.labels = {{labels::k_stack, stack}, {labels::k_compose_service, service}};
  summary.port_bindings = std::move(bindings);
  return summary;
}

FixtureConfig fixture(const std::string& service, int port)
{
  FixtureConfig result;
  result.name = service;
  result.source_path = "/p/fixtures/" + service + ".yaml";
  result.service = service;
  result.container_port = port;
  result.service_line = 2;
  result.port_line = 3;
  return result;
}

TEST(LoopbackHostPortTest, NeverPicksTheIpv6BindingEvenWhenItComesLast)
{
  const std::vector<PortBinding> bindings{{5432, "tcp", "0.0.0.0", 32866},
                                          {5432, "tcp", "::", 32865}};
  EXPECT_EQ(loopback_host_port(bindings, 5432), 32866);
}

TEST(LoopbackHostPortTest, PrefersTheLoopbackBindingOverAllInterfaces)
{
  const std::vector<PortBinding> bindings{{5432, "tcp", "0.0.0.0", 32866},
                                          {5432, "tcp", "::", 32865},
                                          {5432, "tcp", "127.0.0.1", 32870}};
  EXPECT_EQ(loopback_host_port(bindings, 5432), 32870);
}

TEST(LoopbackHostPortTest, RemoteEnginePortIsTheOneOnItsAddressNotItsLoopback)
{
  const std::vector<PortBinding> bindings{{5432, "tcp", "127.0.0.1", 1},
                                          {5432, "tcp", "10.0.0.12", 2}};
  EXPECT_EQ(host_port_at(bindings, 5432, "10.0.0.12"), 2);
  EXPECT_EQ(host_port_at({{5432, "tcp", "127.0.0.1", 1}}, 5432, "10.0.0.12"), std::nullopt);
  EXPECT_EQ(host_port_at({{5432, "tcp", "0.0.0.0", 3}}, 5432, "10.0.0.12"), 3);
}

TEST(PortWiringTest, RemoteEngineProblemNamesItsAddress)
{
  ContainerSummary other;
  other.name = "x";
  other.port_bindings = {{80, "tcp", "10.0.0.12", 4000}};
  const auto problem =
    port_wiring_problem({other}, "s1", fixture("test-postgres", 5432), 4000, "10.0.0.12");
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("was handed 10.0.0.12:4000"), std::string::npos) << *problem;
}

TEST(LoopbackHostPortTest, NoneForIpv6OnlyOtherAddressesUdpOrAnotherPort)
{
  EXPECT_EQ(loopback_host_port({{5432, "tcp", "::", 1}}, 5432), std::nullopt);
  EXPECT_EQ(loopback_host_port({{5432, "tcp", "10.0.0.5", 1}}, 5432), std::nullopt);
  EXPECT_EQ(loopback_host_port({{5432, "udp", "127.0.0.1", 1}}, 5432), std::nullopt);
  EXPECT_EQ(loopback_host_port({{6379, "tcp", "127.0.0.1", 1}}, 5432), std::nullopt);
  EXPECT_EQ(loopback_host_port({{5432, "tcp", "", 7}}, 5432), 7);  // older engines: "" = any
}

TEST(PortWiringTest, APortOfTheShardsOwnServiceIsWired)
{
  const std::vector<ContainerSummary> containers{
    container("s1-db-1", "s1", "db", {{5432, "tcp", "127.0.0.1", 32870}}),
    container("s2-db-1", "s2", "db", {{5432, "tcp", "127.0.0.1", 32871}})};
  EXPECT_EQ(port_wiring_problem(containers, "s1", fixture("db", 5432), 32870), std::nullopt);
}

// The failure of the issue: shard 2 was handed the number of its [::] binding, which is shard 1's
// Redis on IPv4.
TEST(PortWiringTest, APortOfAnotherShardsContainerIsReportedWithTheBindingsSeen)
{
  const std::vector<ContainerSummary> containers{
    container("s1-cache-1", "s1", "cache", {{6379, "tcp", "0.0.0.0", 32865}}),
    container("s2-db-1", "s2", "db",
              {{5432, "tcp", "0.0.0.0", 32866}, {5432, "tcp", "::", 32865}})};

  const auto problem = port_wiring_problem(containers, "s2", fixture("db", 5432), 32865);

  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("stack s2: fixture db was handed 127.0.0.1:32865, which is not service "
                          "'db' port 5432 of this stack"),
            std::string::npos)
    << *problem;
  EXPECT_NE(problem->find("0.0.0.0:32865->6379/tcp (s1-cache-1)"), std::string::npos) << *problem;
  EXPECT_NE(problem->find("[::]:32865->5432/tcp (s2-db-1)"), std::string::npos) << *problem;
  EXPECT_NE(problem->find("0.0.0.0:32866->5432/tcp (s2-db-1)"), std::string::npos) << *problem;
}

TEST(PortWiringTest, APortNobodyPublishesIsReported)
{
  const std::vector<ContainerSummary> containers{
    container("s1-db-1", "s1", "db", {{5432, "tcp", "127.0.0.1", 32870}})};
  const auto problem = port_wiring_problem(containers, "s1", fixture("db", 5432), 40000);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("127.0.0.1:32870->5432/tcp (s1-db-1)"), std::string::npos) << *problem;
}

TEST(PortWiringTest, APortSharedWithAnotherContainerIsReported)
{
  const std::vector<ContainerSummary> containers{
    container("s1-db-1", "s1", "db", {{5432, "tcp", "127.0.0.1", 32870}}),
    container("other", "", "", {{80, "tcp", "0.0.0.0", 32870}})};
  const auto problem = port_wiring_problem(containers, "s1", fixture("db", 5432), 32870);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("another container publishes too"), std::string::npos) << *problem;
}

TEST(FixturePortsTest, PublishesEachFixturesPortOncePerService)
{
  const auto ports = fixture_published_ports({fixture("db", 5432), fixture("db", 5432),
                                              fixture("cache", 6379)});
  EXPECT_EQ(ports.at("db"), std::vector<int>{5432});
  EXPECT_EQ(ports.at("cache"), std::vector<int>{6379});
}

TEST(FixturePortsTest, AFixtureOfAServiceMissingFromTheModelIsAnErrorAtItsServiceLine)
{
  const auto model = parse_compose_model(R"({"services": {"db": {}, "cache": {}}})");
  try {
    check_fixtures_against_model({fixture("postgres", 5432)}, model);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()),
              "/p/fixtures/postgres.yaml:2: service 'postgres' is not in the compose files; "
              "expected one they define: cache, db");
  }
}

TEST(FixturePortsTest, AFixtureOfAServiceThatCannotPublishPortsIsAnErrorAtItsPortLine)
{
  for (const auto* mode : {"host", "none", "service:db", "container:abc"}) {
    const auto model = parse_compose_model(
      std::string(R"({"services": {"db": {}, "cache": {"network_mode": ")") + mode + "\"}}}");
    try {
      check_fixtures_against_model({fixture("db", 5432), fixture("cache", 6379)}, model);
      ADD_FAILURE() << "expected a ConfigError for " << mode;
    } catch (const ConfigError& error) {
      EXPECT_EQ(std::string(error.what()).rfind("/p/fixtures/cache.yaml:3: service 'cache' has "
                                                "network_mode '" + std::string(mode) + "'", 0),
                0u)
        << error.what();
    }
  }
  const auto bridged = parse_compose_model(R"({"services": {"cache": {"network_mode": "bridge"}}})");
  EXPECT_NO_THROW(check_fixtures_against_model({fixture("cache", 6379)}, bridged));
}

}  // namespace
}  // namespace orchestrate
