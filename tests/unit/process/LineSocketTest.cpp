#include "core/Error.hpp"
#include "process/Fd.hpp"
#include "process/LineSocket.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <string>

namespace orchestrate {
namespace {

// The peer's end, as the worker plugin opens it: a plain blocking unix socket.
Fd connect_to(const std::filesystem::path& path)
{
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  EXPECT_EQ(::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0)
    << std::strerror(errno);
  return fd;
}

void write_all(const Fd& fd, const std::string& text)
{
  ASSERT_EQ(::send(fd.get(), text.data(), text.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(text.size()));
}

std::string read_some(const Fd& fd)
{
  char buffer[4096];
  const ssize_t count = ::recv(fd.get(), buffer, sizeof(buffer), 0);
  return count > 0 ? std::string(buffer, static_cast<std::size_t>(count)) : std::string();
}

class LineSocketTest : public ::testing::Test
{
protected:
  TempDir m_dir;
};

TEST_F(LineSocketTest, ReturnsCompleteLinesAndKeepsAPartialOneForLater)
{
  LineSocket socket(m_dir.path() / "s.sock");
  const Fd peer = connect_to(socket.path());
  write_all(peer, "first\nsecond\nthi");
  EXPECT_EQ(socket.receive(Milliseconds(2000)), (std::vector<std::string>{"first", "second"}));
  EXPECT_TRUE(socket.connected());
  write_all(peer, "rd\n");
  EXPECT_EQ(socket.receive(Milliseconds(2000)), (std::vector<std::string>{"third"}));
}

TEST_F(LineSocketTest, ReceiveReturnsNothingWhenNothingCameInTime)
{
  LineSocket socket(m_dir.path() / "s.sock");
  EXPECT_TRUE(socket.receive(Milliseconds(20)).empty());
  EXPECT_FALSE(socket.connected());
  const Fd peer = connect_to(socket.path());
  EXPECT_TRUE(socket.receive(Milliseconds(20)).empty());
  EXPECT_TRUE(socket.connected());
  EXPECT_FALSE(socket.closed());
}

TEST_F(LineSocketTest, WhatIsSentBeforeThePeerConnectsArrivesOnConnection)
{
  LineSocket socket(m_dir.path() / "s.sock");
  EXPECT_TRUE(socket.send("run a\n"));
  EXPECT_TRUE(socket.send("run b\n"));
  const Fd peer = connect_to(socket.path());
  socket.receive(Milliseconds(100));  // accepts, then sends what was kept
  EXPECT_EQ(read_some(peer), "run a\nrun b\n");
  EXPECT_TRUE(socket.send("shutdown\n"));
  EXPECT_EQ(read_some(peer), "shutdown\n");
}

TEST_F(LineSocketTest, IsClosedOnceThePeerHangsUpAfterItsLastLines)
{
  LineSocket socket(m_dir.path() / "s.sock");
  {
    const Fd peer = connect_to(socket.path());
    write_all(peer, "last words\n");
  }
  EXPECT_EQ(socket.receive(Milliseconds(2000)), (std::vector<std::string>{"last words"}));
  EXPECT_TRUE(socket.receive(Milliseconds(2000)).empty());
  EXPECT_TRUE(socket.closed());
  EXPECT_FALSE(socket.send("anyone?\n"));
}

TEST_F(LineSocketTest, SendingMoreThanThePeerReadsDoesNotBlock)
{
  LineSocket socket(m_dir.path() / "s.sock");
  const Fd peer = connect_to(socket.path());
  socket.receive(Milliseconds(100));
  // Far more than a socket buffer holds, while the peer reads nothing.
  const std::string line(1023, 'x');
  for (int i = 0; i < 16 * 1024; ++i) {
    ASSERT_TRUE(socket.send(line + "\n"));
  }
  std::size_t received = 0;
  while (received < 16U * 1024 * 1024) {
    socket.receive(Milliseconds(0));  // sends what is still kept
    received += read_some(peer).size();
  }
  EXPECT_EQ(received, 16U * 1024 * 1024);
}

TEST_F(LineSocketTest, RemovesItsPathAndRefusesATooLongOne)
{
  const auto path = m_dir.path() / "s.sock";
  {
    LineSocket socket(path);
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_THROW(LineSocket(m_dir.path() / std::string(120, 'p')), InternalError);
}

}  // namespace
}  // namespace orchestrate
