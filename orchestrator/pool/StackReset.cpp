#include "pool/StackReset.hpp"

#include "core/Error.hpp"
#include "docker/ResourceLabels.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <future>

namespace orchestrate {

namespace {

constexpr Milliseconds k_recreate_timeout(120'000);
constexpr std::size_t k_output_shown = 2'000;

std::string where(const FixtureConfig& fixture)
{
  return fixture.source_path.string() + ":" + std::to_string(fixture.reset.line) + ": ";
}

std::string tail_of(const std::string& output)
{
  return output.size() <= k_output_shown ? output
                                         : "..." + output.substr(output.size() - k_output_shown);
}

void reset_by_exec(DockerEngine& engine, const std::string& stack, const FixtureConfig& fixture,
                   const std::vector<ContainerSummary>& containers)
{
  bool found = false;
  for (const auto& container : containers) {
    const auto service = container.labels.find(labels::k_compose_service);
    if (service == container.labels.end() || service->second != fixture.service) {
      continue;
    }
    found = true;
    const auto outcome = engine.exec_in_container(container.id, fixture.reset.argv,
                                                  fixture.reset.timeout);
    if (outcome.timed_out) {
      throw InternalError(where(fixture) + "the reset of " + fixture.service + " in " + stack +
                          " did not finish within " + format_seconds(fixture.reset.timeout));
    }
    if (outcome.exit_code != 0) {
      throw InternalError(where(fixture) + "the reset of " + fixture.service + " in " + stack +
                          " exited with code " + std::to_string(outcome.exit_code) + ":\n" +
                          tail_of(outcome.output));
    }
  }
  if (!found) {
    throw InternalError(where(fixture) + "cannot reset " + fixture.service + " in " + stack +
                        ": it has no container");
  }
}

}  // namespace

void reset_stack_services(DockerEngine& engine, const ComposeCli& cli, const std::string& stack,
                          const std::vector<FixtureConfig>& fixtures)
{
  std::vector<std::string> recreated;
  const bool any_exec =
    std::any_of(fixtures.begin(), fixtures.end(), [](const FixtureConfig& fixture) {
      return fixture.reset.kind == ResetSpec::Kind::k_exec;
    });
  const auto containers = any_exec
                            ? engine.list_containers({label_filter(labels::k_stack, stack)})
                            : std::vector<ContainerSummary>();
  // The services are independent: their exec resets run side by side (and beside a recreate).
  std::vector<std::future<void>> execs;
  for (const auto& fixture : fixtures) {
    switch (fixture.reset.kind) {
    case ResetSpec::Kind::k_exec:
      execs.push_back(std::async(std::launch::async, [&engine, &stack, &fixture, &containers] {
        reset_by_exec(engine, stack, fixture, containers);
      }));
      break;
    case ResetSpec::Kind::k_recreate:
      if (std::find(recreated.begin(), recreated.end(), fixture.service) == recreated.end()) {
        recreated.push_back(fixture.service);
      }
      break;
    case ResetSpec::Kind::k_none:
      break;
    }
  }
  // Every exec finishes (each is bounded by its timeout) before the first error is thrown: none
  // may outlive the references it holds.
  const auto wait_for_execs = [&execs] {
    std::exception_ptr first_error;
    for (auto& exec : execs) {
      try {
        exec.get();
      } catch (...) {
        if (!first_error) {
          first_error = std::current_exception();
        }
      }
    }
    if (first_error) {
      std::rethrow_exception(first_error);
    }
  };
  if (recreated.empty()) {
    wait_for_execs();
    return;
  }
  std::vector<std::string> arguments{"up", "-d", "--no-build", "--force-recreate", "--no-deps"};
  arguments.insert(arguments.end(), recreated.begin(), recreated.end());
  spdlog::debug("{}: recreating {} for the reset", stack, recreated.size());
  const auto result = cli.run(arguments, k_recreate_timeout);
  wait_for_execs();
  if (result.exit.interrupted) {
    throw Error(ExitCode::k_interrupted, "interrupted while resetting " + stack);
  }
  if (!result.exit.succeeded()) {
    throw InternalError("recreating " + recreated.front() + " for the reset of " + stack +
                        " failed" + (result.exit.timed_out ? " (timed out)" : "") + ":\n" +
                        tail_of(result.output));
  }
}

bool reset_wipes_state(const std::vector<FixtureConfig>& fixtures)
{
  return std::any_of(fixtures.begin(), fixtures.end(), [](const FixtureConfig& fixture) {
    return fixture.reset.kind != ResetSpec::Kind::k_none;
  });
}

}  // namespace orchestrate
