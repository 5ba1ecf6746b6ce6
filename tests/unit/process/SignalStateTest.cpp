#include "process/SignalState.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace orchestrate {
namespace {

// Installs our handlers for one test and puts the previous ones back afterwards, so Ctrl-C still
// stops the test binary.
class SignalStateTest : public testing::Test
{
protected:
  void SetUp() override
  {
    for (int i = 0; i < 3; ++i) {
      sigaction(k_signals[i], nullptr, &m_previous[i]);
    }
    reset_interrupts();
    install_signal_handlers();
  }

  void TearDown() override
  {
    for (int i = 0; i < 3; ++i) {
      sigaction(k_signals[i], &m_previous[i], nullptr);
    }
    reset_interrupts();
  }

  static constexpr int k_signals[3] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction m_previous[3];
};

TEST_F(SignalStateTest, CountsEachSignalAndRemembersTheLast)
{
  EXPECT_EQ(interrupt_count(), 0);
  EXPECT_EQ(last_signal(), 0);
  ::raise(SIGINT);
  EXPECT_EQ(interrupt_count(), 1);
  EXPECT_EQ(last_signal(), SIGINT);
  ::raise(SIGTERM);
  ::raise(SIGHUP);
  EXPECT_EQ(interrupt_count(), 3);
  EXPECT_EQ(last_signal(), SIGHUP);
}

TEST_F(SignalStateTest, InstallsHandlersWithoutRestart)
{
  struct sigaction action;
  sigaction(SIGINT, nullptr, &action);
  EXPECT_EQ(action.sa_flags & SA_RESTART, 0);
  EXPECT_NE(action.sa_handler, SIG_DFL);
  EXPECT_NE(action.sa_handler, SIG_IGN);
}

TEST_F(SignalStateTest, SimulatedInterruptsCountUntilReset)
{
  simulate_interrupts(2, SIGTERM);
  EXPECT_EQ(interrupt_count(), 2);
  EXPECT_EQ(last_signal(), SIGTERM);
  reset_interrupts();
  EXPECT_EQ(interrupt_count(), 0);
  EXPECT_EQ(last_signal(), 0);
}

TEST_F(SignalStateTest, AClosedOutputIsOneInterruptAndWritesNoLongerKill)
{
  // With SIGPIPE ignored, writing to a pipe nobody reads fails with EPIPE instead of killing us.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  errno = 0;
  EXPECT_EQ(::write(fds[1], "x", 1), -1);
  EXPECT_EQ(errno, EPIPE);
  ::close(fds[1]);

  interrupt_for_lost_output();
  interrupt_for_lost_output();
  EXPECT_EQ(interrupt_count(), 1) << "a closed output is one graceful interrupt, however often";
  EXPECT_EQ(last_signal(), SIGPIPE);
  EXPECT_EQ(describe_interrupt(), "the output was closed (EPIPE on stdout)");
}

}  // namespace
}  // namespace orchestrate
