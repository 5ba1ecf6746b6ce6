#include "policy/ProjectLintOptions.hpp"

#include "config/ConfigLoader.hpp"
#include "config/NamedConfigFiles.hpp"

namespace orchestrate {

LintOptions lint_options_for_fixtures(const ProjectConfig& project,
                                      const std::vector<FixtureConfig>& fixtures)
{
  LintOptions options;
  options.allow_docker_socket_mount = project.allow_docker_socket_mount;
  options.levels = project.policy;
  for (const auto& fixture : fixtures) {
    options.replaced_ports[fixture.service].insert(fixture.container_port);
    if (fixture.readiness.kind == ReadinessSpec::Kind::k_health) {
      options.health_gated_services.insert(fixture.service);
    }
  }
  return options;
}

LintOptions project_lint_options(const ProjectConfig& project)
{
  std::vector<FixtureConfig> fixtures;
  for (const auto& name : list_yaml_stems(project.fixtures_dir)) {
    fixtures.push_back(load_fixture_config(project, name));
  }
  return lint_options_for_fixtures(project, fixtures);
}

}  // namespace orchestrate
