// The command EarlyHealthProbe runs for a container's healthcheck, from Config.Healthcheck.Test as
// the engine reports it.

#include "docker/EarlyHealthProbe.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

using Words = std::vector<std::string>;

TEST(HealthcheckCommandTest, ACmdTestRunsItsArgvAsItIs)
{
  const auto command = healthcheck_command({"CMD", "pg_isready", "-q", "-h", "127.0.0.1"});
  ASSERT_TRUE(command.has_value());
  EXPECT_EQ(*command, (Words{"pg_isready", "-q", "-h", "127.0.0.1"}));
}

TEST(HealthcheckCommandTest, ACmdShellTestRunsThroughBinSh)
{
  const auto command = healthcheck_command({"CMD-SHELL", "redis-cli ping | grep -qx PONG"});
  ASSERT_TRUE(command.has_value());
  EXPECT_EQ(*command, (Words{"/bin/sh", "-c", "redis-cli ping | grep -qx PONG"}));
}

TEST(HealthcheckCommandTest, NoneEmptyInheritedAndUnknownFormsGiveNothingToRun)
{
  EXPECT_FALSE(healthcheck_command({"NONE"}).has_value());
  EXPECT_FALSE(healthcheck_command({}).has_value());
  EXPECT_FALSE(healthcheck_command({"CMD"}).has_value());
  EXPECT_FALSE(healthcheck_command({"CMD-SHELL"}).has_value());
  EXPECT_FALSE(healthcheck_command({"CMD-SHELL", "a", "b"}).has_value());
  EXPECT_FALSE(healthcheck_command({"pg_isready"}).has_value());
}

TEST(HealthcheckCommandTest, AProbeNeedsAnInspectionWithACheckAndAnAddress)
{
  ContainerSummary container;
  container.id = "c1";
  container.health_test = {"CMD", "true"};
  container.network_addresses = {"172.18.0.2"};
  EXPECT_FALSE(EarlyHealthProbe::for_container(container, 5432).has_value())
    << "a listing (not inspected) has no healthcheck to trust";
  container.inspected = true;
  EXPECT_TRUE(EarlyHealthProbe::for_container(container, 5432).has_value());
  container.network_addresses.clear();
  EXPECT_FALSE(EarlyHealthProbe::for_container(container, 5432).has_value());
  container.network_addresses = {"172.18.0.2"};
  container.health_test = {"NONE"};
  EXPECT_FALSE(EarlyHealthProbe::for_container(container, 5432).has_value());
}

}  // namespace
}  // namespace orchestrate
