#include "process/SignalState.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <cstring>

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

}  // namespace
}  // namespace orchestrate
