#include "core/Error.hpp"
#include "docker/SshDialer.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

TEST(SshDialerTest, RunsDialStdioAsTheDockerCliDoesWithBatchMode)
{
  const SshDialer dialer("ssh://ci@build-2:2222", "/etc/orchestrate/ssh_config");
  EXPECT_EQ(dialer.ssh_command(),
            (std::vector<std::string>{"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
                                      "-T", "-F", "/etc/orchestrate/ssh_config", "-l", "ci", "-p",
                                      "2222", "--", "build-2", "docker", "system",
                                      "dial-stdio"}));
}

TEST(SshDialerTest, LeavesUserPortAndConfigToSshWhenNotGiven)
{
  const SshDialer dialer("ssh://build-2", "");
  EXPECT_EQ(dialer.ssh_command(),
            (std::vector<std::string>{"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
                                      "-T", "--", "build-2", "docker", "system", "dial-stdio"}));
}

TEST(SshDialerTest, ListensOnAPrivateSocketAndRemovesItsFolderWhenDestroyed)
{
  std::filesystem::path socket;
  {
    const SshDialer dialer("ssh://[fd00::2]:22", "");
    socket = dialer.socket_path();
    EXPECT_TRUE(std::filesystem::is_socket(socket));
    const auto folder = std::filesystem::status(socket.parent_path()).permissions();
    EXPECT_EQ(folder & std::filesystem::perms::all, std::filesystem::perms::owner_all);
    EXPECT_EQ(dialer.ssh_command()[9], "fd00::2");
  }
  EXPECT_FALSE(std::filesystem::exists(socket.parent_path()));
}

TEST(SshDialerTest, RefusesAPathAnOptionLookingHostOrABadPort)
{
  EXPECT_THROW(SshDialer("ssh://host/var/run/docker.sock", ""), UsageError);
  EXPECT_THROW(SshDialer("ssh://-oProxyCommand=x", ""), UsageError);
  EXPECT_THROW(SshDialer("ssh://host:22a", ""), UsageError);
}

}  // namespace
}  // namespace orchestrate
