#include "policy/ComposeShortSyntax.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

TEST(ComposeShortSyntaxTest, SplitsPortsIntoHostAddressHostPortAndContainerPort)
{
  const auto container_only = parse_short_port("80");
  EXPECT_EQ(container_only.host_port, "");
  EXPECT_EQ(container_only.container_port, "80");

  const auto fixed = parse_short_port("8080:80");
  EXPECT_EQ(fixed.host_port, "8080");
  EXPECT_EQ(fixed.container_port, "80");

  const auto loopback = parse_short_port("127.0.0.1:8080:80/udp");
  EXPECT_EQ(loopback.host_ip, "127.0.0.1");
  EXPECT_EQ(loopback.host_port, "8080");
  EXPECT_EQ(loopback.container_port, "80");

  const auto ephemeral = parse_short_port("127.0.0.1::5432");
  EXPECT_EQ(ephemeral.host_ip, "127.0.0.1");
  EXPECT_EQ(ephemeral.host_port, "");
  EXPECT_EQ(ephemeral.container_port, "5432");

  EXPECT_EQ(parse_short_port("8000-8010:80").host_port, "8000-8010");
}

TEST(ComposeShortSyntaxTest, KeepsTheColonsOfIpv6HostAddresses)
{
  const auto bracketed = parse_short_port("[::1]:8080:80");
  EXPECT_EQ(bracketed.host_ip, "[::1]");
  EXPECT_EQ(bracketed.host_port, "8080");
  EXPECT_EQ(bracketed.container_port, "80");

  const auto bracketed_ephemeral = parse_short_port("[::1]::80");
  EXPECT_EQ(bracketed_ephemeral.host_port, "");
  EXPECT_EQ(bracketed_ephemeral.container_port, "80");

  const auto bare = parse_short_port("::1:6000:6000");
  EXPECT_EQ(bare.host_ip, "::1");
  EXPECT_EQ(bare.host_port, "6000");
}

TEST(ComposeShortSyntaxTest, SplitsVolumesIntoSourceAndTarget)
{
  const auto bind = parse_short_volume("/var/run/docker.sock:/sock:ro");
  EXPECT_EQ(bind.source, "/var/run/docker.sock");
  EXPECT_EQ(bind.target, "/sock");

  const auto anonymous = parse_short_volume("/data");
  EXPECT_EQ(anonymous.source, "");
  EXPECT_EQ(anonymous.target, "/data");
}

TEST(ComposeShortSyntaxTest, FindsTheSizeOptionOfATmpfs)
{
  const auto sized = parse_short_tmpfs("/var/lib/postgresql/data:uid=100,size=128m,mode=0700");
  EXPECT_EQ(sized.target, "/var/lib/postgresql/data");
  ASSERT_TRUE(sized.size.has_value());
  EXPECT_EQ(*sized.size, "128m");

  EXPECT_FALSE(parse_short_tmpfs("/run").size.has_value());
  EXPECT_FALSE(parse_short_tmpfs("/run:mode=1777").size.has_value());
  EXPECT_EQ(parse_short_tmpfs("/run").target, "/run");
}

TEST(ComposeShortSyntaxTest, RecognisesZeroQuantitiesOnly)
{
  for (const auto* zero : {"0", "0.0", "0m", "0GiB", "00"}) {
    EXPECT_TRUE(is_zero_quantity(zero)) << zero;
  }
  for (const auto* other : {"", "1", "0.5", "10m", "100", "${MEM}", "m", "-1", "0 m"}) {
    EXPECT_FALSE(is_zero_quantity(other)) << other;
  }
}

}  // namespace
}  // namespace orchestrate
