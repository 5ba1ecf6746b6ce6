#include "OrchestrateCli.hpp"
#include "core/Error.hpp"
#include "docker/DockerEngine.hpp"
#include "resources/MemInfo.hpp"
#include "resources/Preflight.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>

namespace orchestrate {
namespace {

using Clock = std::chrono::steady_clock;
using testing::ScratchProject;

constexpr const char* k_absent_socket = "unix:///nonexistent.sock";
constexpr std::uint64_t k_gib = 1024ull * 1024 * 1024;

bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

// DOCKER_HOST set for one scope, then restored.
class DockerHostOverride
{
public:
  explicit DockerHostOverride(const char* value)
  {
    if (const char* old = std::getenv("DOCKER_HOST")) {
      m_old = old;
    }
    ::setenv("DOCKER_HOST", value, 1);
  }

  ~DockerHostOverride()
  {
    if (m_old) {
      ::setenv("DOCKER_HOST", m_old->c_str(), 1);
    } else {
      ::unsetenv("DOCKER_HOST");
    }
  }

  DockerHostOverride(const DockerHostOverride&) = delete;
  DockerHostOverride& operator=(const DockerHostOverride&) = delete;

private:
  std::optional<std::string> m_old;
};

// The EnvironmentError run_preflight throws; fails the test when it passes.
std::optional<EnvironmentError> preflight_failure(DockerEngine& engine,
                                                  const PreflightOptions& options)
{
  try {
    run_preflight(engine, options);
  } catch (const EnvironmentError& error) {
    return error;
  }
  ADD_FAILURE() << "expected run_preflight to fail";
  return std::nullopt;
}

PreflightOptions options_for_this_test()
{
  PreflightOptions options;
  options.memory_budget_bytes = 1 * k_gib;
  options.project_prefix = "it-" + unique_test_id();
  // Other tests' containers may exist on this engine: the count is checked on its own below.
  options.existing_containers_warning = 1'000'000;
  return options;
}

TEST(PreflightTest, RealEnginePassesEveryCheckQuickly)
{
  DockerEngine engine;
  const PreflightOptions options = options_for_this_test();
  // The first run pays for curl's and the API version's one-time setup in this process.
  run_preflight(engine, options);

  DockerEngine fresh_engine;
  const PreflightReport report = run_preflight(fresh_engine, options);
  EXPECT_TRUE(report.passed()) << report.failure_message();
  std::vector<std::string> names;
  for (const PreflightCheck& check : report.checks) {
    names.push_back(check.name);
    EXPECT_EQ(check.verdict, CheckVerdict::k_pass) << check.name << ": " << check.measured;
    std::cout << "  " << to_string(check.verdict) << " " << check.name << ": " << check.measured
              << "\n";
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"engine", "compose", "memory", "disk", "containers"}));
  EXPECT_TRUE(contains(report.find("compose")->measured, "2.")) << report.find("compose")->measured;
  std::cout << "  preflight took " << report.duration.count() << " ms\n";
  // < 100 ms on an idle machine; the bound leaves room for a loaded 2-core CI box.
  EXPECT_LT(report.duration, Milliseconds(500));
}

TEST(PreflightTest, CountsOurContainersAndWarnsAboveTheThreshold)
{
  PreflightOptions options = options_for_this_test();
  const std::string test_label = "io.orchestrate.test=" + unique_test_id();
  DockerCleanup cleanup(test_label);
  // Created, never started: listed like any leftover of ours.
  run_docker({"create", "--label", test_label, "--label", "io.orchestrate.managed=true",
              "--label", "io.orchestrate.project=" + options.project_prefix,
              "orchestrate/busybox:latest", "true"});

  DockerEngine engine;
  PreflightReport report = run_preflight(engine, options);
  const PreflightCheck* containers = report.find("containers");
  ASSERT_NE(containers, nullptr);
  EXPECT_EQ(containers->verdict, CheckVerdict::k_pass);
  EXPECT_TRUE(contains(containers->measured, "(1 of project " + options.project_prefix + ")"))
    << containers->measured;

  options.existing_containers_warning = 0;
  report = run_preflight(engine, options);
  EXPECT_TRUE(report.passed());
  ASSERT_EQ(report.warnings().size(), 1u);
  EXPECT_TRUE(contains(report.warnings()[0], "orchestrate cleanup")) << report.warnings()[0];

  cleanup.remove_now();
  EXPECT_TRUE(leftovers_with_label(test_label).empty());
}

TEST(PreflightTest, UnreachableEngineIsAnEnvironmentErrorSayingHowToStartOne)
{
  DockerHostOverride docker_host(k_absent_socket);
  DockerEngine engine;
  const auto start = Clock::now();
  const auto error = preflight_failure(engine, options_for_this_test());
  ASSERT_TRUE(error);
  EXPECT_LT(Clock::now() - start, Milliseconds(2000));
  const std::string message = error->what();
  EXPECT_EQ(error->exit_code(), ExitCode::k_docker_unavailable);
  EXPECT_TRUE(contains(message, "/nonexistent.sock")) << message;
  EXPECT_TRUE(contains(message, "Start one with")) << message;
  EXPECT_TRUE(contains(message, "DOCKER_HOST")) << message;
}

TEST(PreflightTest, BudgetLargerThanMemAvailableFailsWithBothNumbers)
{
  const std::optional<std::uint64_t> available = read_mem_available();
  ASSERT_TRUE(available);
  PreflightOptions options = options_for_this_test();
  options.memory_budget_bytes = *available * 2;
  DockerEngine engine;
  const auto error = preflight_failure(engine, options);
  ASSERT_TRUE(error);
  const std::string message = error->what();
  EXPECT_EQ(error->exit_code(), ExitCode::k_docker_unavailable);
  EXPECT_TRUE(contains(message, format_bytes(options.memory_budget_bytes))) << message;
  EXPECT_TRUE(contains(message, "MemAvailable")) << message;
  EXPECT_TRUE(contains(message, "--memory-budget")) << message;
  // Only the memory check failed.
  EXPECT_FALSE(contains(message, "Start one with")) << message;
}

// Binary level: needs the run to call run_preflight before anything else (the lead's wiring in
// orchestrator/run). Until then it checks only what the run's first engine call does.
TEST(PreflightTest, BinaryUnderUnreachableDockerHostExitsSevenAndStartsNothing)
{
  ScratchProject project;
  DockerCleanup safety_net(project.label());
  project.write("suites/integration.yaml", "paths: [suites/integration]\nfixtures: [postgres]\n");
  project.write("suites/integration/test_trivial.py", "def test_trivial():\n    assert True\n");

  const auto start = Clock::now();
  const auto run = testing::run_orchestrate({"-C", project.root().string(), "--suite", "integration"},
                                            testing::k_source_dir,
                                            {{"DOCKER_HOST", k_absent_socket}},
                                            Milliseconds(120'000));
  EXPECT_EQ(run.exit_code, 7) << run.output;
  EXPECT_TRUE(contains(run.output, "Start one with")) << run.output;
  EXPECT_LT(Clock::now() - start, Milliseconds(10'000)) << run.output;
  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

// The compose check is judged late (after collection) so that the first stack need not wait for
// it; a missing compose must still end the run with exit 7 and the install hint, leave nothing
// behind, and do so also when the compose model comes from the cache of an earlier run.
TEST(PreflightTest, BinaryWithoutComposeExitsSevenSayingHowToInstallItAndLeavesNothing)
{
  ScratchProject project;
  DockerCleanup safety_net(project.label());
  project.write("suites/integration.yaml", "paths: [suites/integration]\nfixtures: [redis]\n");
  project.write("suites/integration/test_trivial.py", "def test_trivial():\n    assert True\n");
  const auto first = project.run({"--suite", "integration", "--parallel", "1"});
  ASSERT_EQ(first.exit_code, 0) << first.output;  // the compose model is cached now

  // A `docker` CLI without the compose plugin, first on PATH.
  const auto bin = project.root() / "bin";
  project.write("bin/docker", "#!/bin/sh\necho \"docker: 'compose' is not a docker command.\" >&2\n"
                              "exit 1\n");
  std::filesystem::permissions(bin / "docker", std::filesystem::perms::owner_all);
  const auto run = testing::run_orchestrate(
    {"-C", project.root().string(), "--suite", "integration", "--parallel", "1"},
    testing::k_source_dir, {{"PATH", bin.string() + ":/usr/bin:/bin"}}, Milliseconds(120'000));
  EXPECT_EQ(run.exit_code, 7) << run.output;
  EXPECT_TRUE(contains(run.output, "compose v2 is needed")) << run.output;
  EXPECT_TRUE(contains(run.output, "scripts/install-compose")) << run.output;
  const auto left = leftovers_with_label(project.label());
  EXPECT_TRUE(left.empty()) << left.describe();
}

}  // namespace
}  // namespace orchestrate
