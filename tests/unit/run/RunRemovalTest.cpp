#include "run/RunRemoval.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

RemovalFindings engine_gone_with_two_stacks()
{
  RemovalFindings findings;
  findings.engine = "/tmp/e1/docker.sock";
  findings.run_id = "r42";
  findings.engine_went_away = true;
  findings.engine_answers = false;
  findings.stacks = {"shop-test-r42-s1", "shop-test-r42-s2"};
  return findings;
}

ReaperHandOver reaper()
{
  ReaperHandOver hand_over;
  hand_over.pid = 4242;
  hand_over.log_file = "/p/.orchestrate/runs/r42/reaper.log";
  return hand_over;
}

TEST(RunRemovalTest, EngineThatWentAwayMakesTheRunExitSevenWhateverItsTestsDid)
{
  auto findings = engine_gone_with_two_stacks();
  for (auto code : {ExitCode::k_all_passed, ExitCode::k_tests_failed, ExitCode::k_internal_error}) {
    EXPECT_EQ(exit_code_after_removal(code, findings), ExitCode::k_docker_unavailable);
  }
  // Restarted: it answers again and took everything away, but the run still lost its engine.
  findings.engine_answers = true;
  findings.stacks.clear();
  EXPECT_EQ(exit_code_after_removal(ExitCode::k_tests_failed, findings),
            ExitCode::k_docker_unavailable);
}

TEST(RunRemovalTest, InterruptedRunStaysInterruptedWhenItsEngineWentAway)
{
  EXPECT_EQ(exit_code_after_removal(ExitCode::k_interrupted, engine_gone_with_two_stacks()),
            ExitCode::k_interrupted);
}

TEST(RunRemovalTest, InterruptedRunWhoseEngineWentAwaySaysItsOwnExitCode)
{
  const auto message =
    removal_message(engine_gone_with_two_stacks(), reaper(), ExitCode::k_interrupted);
  EXPECT_NE(message.find("not a verdict on the tests (exit 2)."), std::string::npos) << message;
}

TEST(RunRemovalTest, RunWhoseEngineStayedKeepsItsExitCodeAndSaysNothing)
{
  RemovalFindings findings;
  findings.engine = "/var/run/docker.sock";
  EXPECT_EQ(exit_code_after_removal(ExitCode::k_tests_failed, findings), ExitCode::k_tests_failed);
  EXPECT_EQ(removal_message(findings, reaper(), ExitCode::k_tests_failed), "");
}

TEST(RunRemovalTest, MessageNamesTheStacksLeftAndWhoRemovesThemWhenTheEngineIsGone)
{
  const auto message =
    removal_message(engine_gone_with_two_stacks(), reaper(), ExitCode::k_docker_unavailable);
  EXPECT_NE(message.find("the Docker engine at /tmp/e1/docker.sock stopped answering during the "
                         "run and does not answer now"),
            std::string::npos)
    << message;
  EXPECT_NE(message.find("exit 7"), std::string::npos) << message;
  EXPECT_NE(message.find("left on the engine: what remains of the stacks shop-test-r42-s1, "
                         "shop-test-r42-s2"),
            std::string::npos)
    << message;
  EXPECT_NE(message.find("io.orchestrate.run=r42"), std::string::npos) << message;
  EXPECT_NE(message.find("reaper (pid 4242) removes it as soon as the engine answers again"),
            std::string::npos)
    << message;
  EXPECT_NE(message.find("trying for up to 10m"), std::string::npos) << message;
  EXPECT_NE(message.find("/p/.orchestrate/runs/r42/reaper.log"), std::string::npos) << message;
  EXPECT_NE(message.find("`orchestrate cleanup`"), std::string::npos) << message;
  EXPECT_EQ(message.find("could not remove The"), std::string::npos) << message;
}

TEST(RunRemovalTest, MessageListsLeftoversByNameWhenTheEngineAnswersButRefused)
{
  RemovalFindings findings;
  findings.engine = "/var/run/docker.sock";
  findings.run_id = "r42";
  findings.left = {"network shop-test-r42-s1_default"};
  const auto message = removal_message(findings, reaper(), ExitCode::k_tests_failed);
  EXPECT_EQ(message.find("stopped answering"), std::string::npos) << message;
  EXPECT_NE(message.find("left on the engine: network shop-test-r42-s1_default\n"),
            std::string::npos)
    << message;
  EXPECT_NE(message.find("as soon as the engine lets it"), std::string::npos) << message;
}

TEST(RunRemovalTest, MessageSaysNothingIsLeftWhenTheEngineCameBackAndAllWasRemoved)
{
  RemovalFindings findings = engine_gone_with_two_stacks();
  findings.engine_answers = true;
  const auto message = removal_message(findings, reaper(), ExitCode::k_docker_unavailable);
  EXPECT_NE(message.find("stopped answering during the run:"), std::string::npos) << message;
  EXPECT_NE(message.find("Nothing of the run is left on it."), std::string::npos) << message;
  EXPECT_EQ(message.find("reaper"), std::string::npos) << message;
}

}  // namespace
}  // namespace orchestrate
