#include "config/ConfigLoader.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace orchestrate {
namespace {

// The example shop project and the mini projects under compose/testdata are what users copy and
// what integration tests run, so they must always load.
const std::filesystem::path k_source_dir = ORCHESTRATE_SOURCE_DIR;

TEST(ExampleProjectsTest, LoadsTheShopProjectWithItsSuitesAndFixtures)
{
  const auto project = load_project_config(k_source_dir);

  EXPECT_EQ(project.prefix, "shop");
  ASSERT_EQ(project.environments.count("test"), 1u);
  EXPECT_EQ(project.environments.at("test").compose_files,
            std::vector<std::filesystem::path>{k_source_dir / "compose/docker-compose.test.yml"});
  EXPECT_EQ(project.memory_budget_bytes, 4ull << 30);
  EXPECT_EQ(list_suite_names(project),
            (std::vector<std::string>{"commands", "gtest-redis", "integration", "spread", "unit"}));

  const auto integration = load_suite_config(project, "integration");
  EXPECT_EQ(integration.fixtures, (std::vector<std::string>{"postgres", "redis"}));
  EXPECT_EQ(integration.test_timeout, Milliseconds(30'000));
  EXPECT_TRUE(load_suite_config(project, "unit").fixtures.empty());

  const auto postgres = load_fixture_config(project, "postgres");
  EXPECT_EQ(postgres.service, "test-postgres");
  EXPECT_EQ(postgres.container_port, 5432);
  EXPECT_EQ(load_fixture_config(project, "redis").environment.at("REDIS_URL"),
            "redis://{host}:{port}/0");
}

TEST(ExampleProjectsTest, LoadsEveryMiniProjectUnderTestdata)
{
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(k_source_dir / "compose/testdata")) {
    if (!std::filesystem::exists(entry.path() / "orchestrate.yaml")) {
      continue;
    }
    SCOPED_TRACE(entry.path().string());
    const auto project = load_project_config(entry.path());
    for (const auto& suite_name : list_suite_names(project)) {
      for (const auto& fixture_name : load_suite_config(project, suite_name).fixtures) {
        EXPECT_FALSE(load_fixture_config(project, fixture_name).service.empty());
      }
    }
    ++loaded;
  }
  EXPECT_GE(loaded, 2);
}

}  // namespace
}  // namespace orchestrate
