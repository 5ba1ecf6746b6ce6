#pragma once

#include "core/Error.hpp"
#include "policy/ComposeLint.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace orchestrate {

// Lines of a service, at 4 spaces of indent: limits that satisfy memory-limit and cpu-limit, and
// logging that satisfies log-rotation.
constexpr const char* k_limits =
  "    deploy: {resources: {limits: {memory: 64M, cpus: \"0.5\"}}}\n";
constexpr const char* k_local_logging = "    logging: {driver: local}\n";

// A service `name` with k_limits on the line after its key, followed by `settings` lines.
inline std::string limited_service(const std::string& name, const std::string& settings)
{
  return "  " + name + ":\n" + k_limits + settings;
}

// Settings that satisfy every rule. A test file made with clean_compose() has `services:` on line
// 1, the service on line 2, these on lines 3-6 and the test's own lines from line 7 on.
constexpr const char* k_clean_settings =
  "    image: orchestrate/busybox:latest\n"
  "    logging: {driver: json-file, options: {max-size: 1m, max-file: \"2\"}}\n"
  "    healthcheck: {test: [CMD, \"true\"], interval: 1s}\n";

constexpr int k_first_extra_line = 7;

// A compose file with one service `name` that breaks no rule, followed by `extra` lines.
inline std::string clean_compose(const std::string& extra = "", const std::string& name = "app")
{
  return "services:\n" + limited_service(name, k_clean_settings + extra);
}

// Options under which `services` are gated on health by a fixture.
inline LintOptions gated_on_health(std::set<std::string> services)
{
  LintOptions options;
  options.health_gated_services = std::move(services);
  return options;
}

// A folder of its own for each test, removed in TearDown, to write compose files into and lint.
class ComposeLintTestBase : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_temp_dir.emplace();
  }

  void TearDown() override
  {
    m_temp_dir.reset();
  }

  // Writes `text` to <temp dir>/<relative> (creating folders) and returns its path.
  std::filesystem::path write(const std::string& relative, const std::string& text) const
  {
    const auto path = m_temp_dir->path() / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path;
  }

  // The violations of `rule` among those of linting `files` with `options`.
  static std::vector<LintViolation> violations_of(const std::string& rule,
                                                  const std::vector<std::filesystem::path>& files,
                                                  const LintOptions& options = {})
  {
    std::vector<LintViolation> found;
    for (const auto& violation : lint_compose_files(files, options)) {
      if (violation.rule == rule) {
        found.push_back(violation);
      }
    }
    return found;
  }

  // Checks that linting `files` finds exactly one violation, of `rule`, at file:line for
  // `service`, and returns its message ("" when the check failed).
  static std::string expect_one_violation(const std::vector<std::filesystem::path>& files,
                                          const std::string& rule,
                                          const std::filesystem::path& file,
                                          int line,
                                          const std::string& service,
                                          const LintOptions& options = {})
  {
    const auto violations = lint_compose_files(files, options);
    EXPECT_EQ(violations.size(), 1u) << describe(violations);
    if (violations.size() != 1) {
      return "";
    }
    const auto& violation = violations.front();
    EXPECT_EQ(violation.rule, rule) << format_violation(violation);
    EXPECT_EQ(violation.file, file) << format_violation(violation);
    EXPECT_EQ(violation.line, line) << format_violation(violation);
    EXPECT_EQ(violation.service, service) << format_violation(violation);
    return violation.message;
  }

  // Checks that linting `files` finds nothing at all.
  static void expect_clean(const std::vector<std::filesystem::path>& files,
                           const LintOptions& options = {})
  {
    const auto violations = lint_compose_files(files, options);
    EXPECT_TRUE(violations.empty()) << describe(violations);
  }

  // The message of the ConfigError that linting `files` throws; fails the test when none.
  static std::string config_error(const std::vector<std::filesystem::path>& files)
  {
    try {
      lint_compose_files(files, {});
    } catch (const ConfigError& error) {
      return error.what();
    }
    ADD_FAILURE() << "expected a ConfigError";
    return "";
  }

  static std::string describe(const std::vector<LintViolation>& violations)
  {
    std::string text;
    for (const auto& violation : violations) {
      text += format_violation(violation) + "\n";
    }
    return text;
  }

  std::optional<TempDir> m_temp_dir;
};

// Whether `text` contains `fragment`, for EXPECT_TRUE with a readable failure.
inline ::testing::AssertionResult contains(const std::string& text, const std::string& fragment)
{
  if (text.find(fragment) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "'" << fragment << "' not in: " << text;
}

}  // namespace orchestrate
