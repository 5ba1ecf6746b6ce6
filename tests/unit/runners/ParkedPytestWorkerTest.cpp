#include "runners/ParkedPytestWorker.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

class ParkedPytestWorkerTest : public ::testing::Test
{
protected:
  ParkedPytestWorkerTest()
  {
    parked.options.python = "/usr/bin/python3";
    parked.options.root = "/project";
    parked.options.args = {"-p", "no:cacheprovider"};
    parked.options.paths = {"suites/integration"};
    parked.environment = {{"POSTGRES_PORT", "32768"},
                          {"COMPOSE_PROJECT_NAME", "shop-test-1234abcd-s1"},
                          {"ORCHESTRATE_RUN_ID", "1234abcd"},
                          {"ORCHESTRATE_SHARD_INDEX", "1"},
                          {"ORCHESTRATE_SHARD_COUNT", "4"}};
    options = parked.options;
    environment = parked.environment;
  }

  ParkedPytestWorker parked;
  PytestWorkerOptions options;
  std::map<std::string, std::string> environment;
};

TEST_F(ParkedPytestWorkerTest, ServesARunThatDiffersOnlyInTheRunSpecificVariables)
{
  environment["ORCHESTRATE_RUN_ID"] = "feedbeef";
  environment["ORCHESTRATE_SHARD_INDEX"] = "3";
  environment["ORCHESTRATE_SHARD_COUNT"] = "2";
  EXPECT_EQ(parked_worker_difference(parked, options, environment), std::nullopt);
}

TEST_F(ParkedPytestWorkerTest, NamesTheVariableThatChangedOrAppeared)
{
  environment["POSTGRES_PORT"] = "32769";
  EXPECT_EQ(parked_worker_difference(parked, options, environment), "POSTGRES_PORT");
  environment = parked.environment;
  environment["REDIS_URL"] = "redis://localhost:1/0";
  EXPECT_EQ(parked_worker_difference(parked, options, environment), "REDIS_URL");
  environment = parked.environment;
  environment.erase("COMPOSE_PROJECT_NAME");
  EXPECT_EQ(parked_worker_difference(parked, options, environment), "COMPOSE_PROJECT_NAME");
}

TEST_F(ParkedPytestWorkerTest, NamesADifferentCommandLine)
{
  options.args.push_back("-s");
  EXPECT_EQ(parked_worker_difference(parked, options, environment), "the suite's pytest args");
  options = parked.options;
  options.paths = {"suites/other"};
  EXPECT_EQ(parked_worker_difference(parked, options, environment), "the suite's paths");
  options = parked.options;
  options.python = "/opt/venv/bin/python";
  EXPECT_EQ(parked_worker_difference(parked, options, environment), "the python interpreter");
}

}  // namespace
}  // namespace orchestrate
