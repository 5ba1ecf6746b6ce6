// The example shop project and the mini projects under compose/testdata are what users copy: their
// compose files must follow every rule.

#include "config/ConfigLoader.hpp"
#include "policy/ComposeLint.hpp"
#include "policy/ProjectLintOptions.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace orchestrate {
namespace {

const std::filesystem::path k_source_dir = ORCHESTRATE_SOURCE_DIR;

// Changes the current folder for the life of the object.
class WorkingDirectory
{
public:
  explicit WorkingDirectory(const std::filesystem::path& folder)
    : m_previous(std::filesystem::current_path())
  {
    std::filesystem::current_path(folder);
  }

  ~WorkingDirectory()
  {
    std::error_code ignored;
    std::filesystem::current_path(m_previous, ignored);
  }

  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;

private:
  std::filesystem::path m_previous;
};

std::string describe(const std::vector<LintViolation>& violations)
{
  std::string text;
  for (const auto& violation : violations) {
    text += format_violation(violation) + "\n";
  }
  return text;
}

TEST(ExampleProjectLintTest, GatesTheShopFixturesServicesOnHealth)
{
  const auto options = project_lint_options(load_project_config(k_source_dir));
  EXPECT_FALSE(options.allow_docker_socket_mount);
  EXPECT_EQ(options.health_gated_services,
            (std::set<std::string>{"test-postgres", "test-redis"}));
}

TEST(ExampleProjectLintTest, EveryEnvironmentOfTheShopProjectLintsClean)
{
  const auto project = load_project_config(k_source_dir);
  auto options = project_lint_options(project);
  // The dev stack's services are the test stack's under other names; gate them on health too.
  options.health_gated_services.insert({"dev-postgres", "dev-redis"});
  ASSERT_EQ(project.environments.count("dev"), 1u);
  for (const auto& [name, environment] : project.environments) {
    const auto violations = lint_compose_files(environment.compose_files, options);
    EXPECT_TRUE(violations.empty()) << name << ":\n" << describe(violations);
  }
}

TEST(ExampleProjectLintTest, TheShopComposeFilesLintCleanAsOneSetWithRelativePaths)
{
  // As `orchestrate lint compose/docker-compose.test.yml` run from the repository's root: the
  // templates are found relative to the extending file, not to the current folder.
  WorkingDirectory in_source_dir(k_source_dir);
  LintOptions options;
  options.health_gated_services = {"test-postgres", "test-redis", "dev-postgres", "dev-redis"};
  const auto violations = lint_compose_files(
    {"compose/docker-compose.test.yml", "compose/docker-compose.dev.yml"}, options);
  EXPECT_TRUE(violations.empty()) << describe(violations);
}

TEST(ExampleProjectLintTest, EveryMiniProjectUnderTestdataLintsClean)
{
  int linted = 0;
  for (const auto& entry : std::filesystem::directory_iterator(k_source_dir / "compose/testdata")) {
    const auto project = load_project_config(entry.path());
    const auto& test = project.environments.at("test");
    const auto violations = lint_compose_files(test.compose_files, project_lint_options(project));
    EXPECT_TRUE(violations.empty()) << entry.path() << ":\n" << describe(violations);
    ++linted;
  }
  EXPECT_GE(linted, 2);
}

}  // namespace
}  // namespace orchestrate
