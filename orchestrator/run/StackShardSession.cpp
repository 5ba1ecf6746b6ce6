#include "run/StackShardSession.hpp"

#include "docker/FixturePorts.hpp"
#include "docker/ProjectName.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <utility>

namespace orchestrate {

namespace {

Milliseconds since(std::chrono::steady_clock::time_point start)
{
  return std::chrono::duration_cast<Milliseconds>(std::chrono::steady_clock::now() - start);
}

// A service that keeps dying under other tests (a memory limit too small for the suite) must not
// make a test run forever: after this many re-runs its failure counts.
constexpr int k_max_requeues = 2;

}  // namespace

StackShardSession::StackShardSession(const ShardSettings& settings,
                                     const ShardServices& services, int shard)
  : m_settings(settings),
    m_services(services),
    m_shard(shard),
    m_shard_dir(settings.run_dir / ("shard-" + std::to_string(shard)))
{
  std::filesystem::create_directories(m_shard_dir);
  m_timing.shard = shard;
  m_environment["ORCHESTRATE_SHARD_INDEX"] = std::to_string(shard);
  m_environment["ORCHESTRATE_RUN_ID"] = settings.run_id;
  if (settings.fixtures.empty()) {
    return;  // a suite without services gets no stack at all
  }

  StackSpec spec;
  spec.ownership.project_prefix = settings.project_prefix;
  spec.ownership.environment = settings.environment;
  spec.ownership.run_id = settings.run_id;
  spec.ownership.shard = shard;
  spec.ownership.stack =
    shard_project_name(settings.project_prefix, settings.environment, settings.run_id, shard);
  spec.ownership.owner = settings.owner_label;
  spec.ownership.created_unix_seconds = static_cast<long long>(std::time(nullptr));
  spec.compose_files = settings.compose_files;
  spec.work_dir = m_shard_dir;
  spec.model = settings.model;
  spec.published_ports = fixture_published_ports(settings.fixtures);
  spec.stop_timeout = settings.stop_timeout;
  m_timing.project = spec.ownership.stack;
  m_environment["COMPOSE_PROJECT_NAME"] = spec.ownership.stack;
  m_spec = spec;

  if (services.admission != nullptr) {
    // Waits while the memory budget is spent by other shards' stacks: queued, never failed.
    m_admission = services.admission->admit();
  }
  services.events.shard_opening(shard);
  try {
    bring_up_stack();
  } catch (const std::exception& error) {
    m_timing.error = error.what();
    if (m_stack) {
      m_timing.teardown = tear_down_stack();
    }
    m_services.events.shard_closed(m_timing);
    throw;
  }
}

void StackShardSession::bring_up_stack()
{
  const auto up_started = std::chrono::steady_clock::now();
  m_stack = std::make_unique<ComposeStack>(m_spec, m_services.engine);
  m_services.events.stack_starting(m_shard);
  m_stack->up();
  m_timing.stack_up = since(up_started);
  m_services.events.stack_up(m_shard, up_started);
  const auto ready_started = std::chrono::steady_clock::now();  // after stack up's end: no overlap
  const auto endpoints = m_stack->wait_ready(m_settings.fixtures, m_settings.readiness_timeout);
  m_timing.ready = since(up_started);
  m_services.events.stack_ready(m_shard, ready_started);
  for (const auto& fixture : m_settings.fixtures) {
    for (auto& [name, value] : fixture_environment(fixture, endpoints.at(fixture.name))) {
      m_environment[name] = value;
    }
  }
}

void StackShardSession::recreate_stack_if_broken() noexcept
{
  if (!m_stack || !m_stack_error.empty()) {
    return;
  }
  try {
    const auto broken = m_stack->broken_services(m_settings.fixtures);
    if (broken.empty()) {
      return;
    }
    std::string why;
    for (const auto& service : broken) {
      why += (why.empty() ? "" : ", ") + service;
    }
    try {
      // How and when each died decides which tests ran against the dead stack.
      auto deaths = find_service_deaths(m_services.engine, m_stack->project_name(),
                                        m_settings.fixtures);
      if (!deaths.empty()) {
        why = describe_service_deaths(deaths);
      }
      m_batch_deaths.insert(m_batch_deaths.end(), deaths.begin(), deaths.end());
    } catch (const std::exception& error) {
      spdlog::debug("shard {}: cannot tell how its services died: {}", m_shard, error.what());
    }
    m_services.events.message("[shard " + std::to_string(m_shard) + "] stack " +
                              m_stack->project_name() + " became unhealthy (" + why +
                              "): recreating it");
    m_timing.teardown += tear_down_stack();
    m_stack.reset();
    bring_up_stack();
    ++m_timing.stack_recreations;
  } catch (const std::exception& error) {
    // The shard cannot serve tests any more; its remaining tests get this as their error.
    m_stack_error = std::string("the shard's stack could not be recreated: ") + error.what();
    m_services.events.shard_failed(m_shard, m_stack_error);
  }
}

StackShardSession::~StackShardSession()
{
  if (m_stack) {
    m_services.events.shard_tearing_down(m_shard);
  }
  if (m_stack && m_had_failure && m_settings.keep_on_failure) {
    keep_stack_for_inspection();
  } else if (m_stack) {
    m_timing.teardown = tear_down_stack();
  }
  m_services.events.shard_closed(m_timing);
}

Milliseconds StackShardSession::tear_down_stack() noexcept
{
  const auto duration = m_stack->tear_down().duration;
  m_services.events.teardown_ended(m_shard, duration);
  return duration;
}

void StackShardSession::keep_stack_for_inspection() noexcept
{
  m_stack->keep();
  std::string text = "[shard " + std::to_string(m_shard) + "] kept stack " +
                     m_stack->project_name() + " for inspection (--keep-on-failure):\n";
  for (const auto& [name, value] : m_environment) {
    text += "    " + name + "=" + value + "\n";
  }
  text += "  remove it with: orchestrate cleanup   (its owner has exited, so cleanup finds it)";
  m_services.events.message(text);
}

std::vector<TestResult> StackShardSession::run_batch(const TestBatch& batch)
{
  m_services.events.batch_started(m_shard, static_cast<int>(batch.size()),
                                  batch.empty() ? std::string() : batch.front().id);
  const auto started = std::chrono::steady_clock::now();
  BatchRequest request;
  for (const auto& test : batch) {
    request.test_ids.push_back(test.id);
  }
  if (!m_stack_error.empty()) {
    return results_without_stack(batch);
  }
  // Known only once the tests are selected: the first shard may have opened before that.
  m_environment["ORCHESTRATE_SHARD_COUNT"] = std::to_string(m_services.shard_count.get());
  request.environment = m_environment;
  // A crash or timeout may have taken a service down with the test: before a new runner process
  // takes over the rest of the batch, check the stack and recreate it if it is broken.
  m_batch_times.clear();
  m_batch_deaths.clear();
  request.on_test_started = [this](const std::string& test_id, WallClock::time_point started) {
    m_batch_times.push_back({test_id, started, std::nullopt});
    m_services.events.test_started(m_shard, test_id);
  };
  request.on_test_finished = [this](const std::string& test_id, bool failed) {
    m_services.events.test_ended(m_shard, test_id, failed);
    for (auto& times : m_batch_times) {
      if (times.id == test_id && !times.finished) {
        times.finished = WallClock::now();
      }
    }
    if (on_test_finished) {
      on_test_finished(test_id, failed);
    }
  };
  request.before_restart = [this](std::map<std::string, std::string>& environment) {
    recreate_stack_if_broken();
    environment = m_environment;
  };
  request.work_dir = m_shard_dir / ("batch-" + std::to_string(++m_batches));
  std::filesystem::create_directories(request.work_dir);
  request.log_file = m_shard_dir / "tests.log";
  if (m_settings.test_timeout.count() > 0) {
    request.per_test_timeout = m_settings.test_timeout;
  }
  auto outcome = m_services.runner.run_batch(request);
  for (auto& result : outcome.results) {
    result.shard = m_shard;
  }
  bool batch_failed = false;
  for (const auto& result : outcome.results) {
    batch_failed = batch_failed || result.outcome == Outcome::k_failed ||
                   result.outcome == Outcome::k_error;
  }
  m_had_failure = m_had_failure || batch_failed;
  if (batch_failed) {
    // A failing test may have broken the stack (the last test of a batch crashing, a command
    // stopping a service): the next batch gets a working one.
    recreate_stack_if_broken();
    requeue_tests_charged_for_dead_stack(batch, outcome.results);
  }
  m_timing.tests += since(started);
  m_services.events.batch_ended(m_shard, started);
  m_timing.tests_run += static_cast<int>(outcome.results.size());
  return std::move(outcome.results);
}

void StackShardSession::requeue_tests_charged_for_dead_stack(const TestBatch& batch,
                                                             std::vector<TestResult>& results)
{
  if (m_batch_deaths.empty() || !m_stack_error.empty()) {
    return;  // without a new stack a re-run would fail the same way
  }
  const auto ids = apply_service_deaths(m_batch_times, m_batch_deaths, results);
  std::vector<TestResult> charged;
  for (const auto& id : ids) {
    const auto test = std::find_if(batch.begin(), batch.end(),
                                   [&](const TestCase& candidate) { return candidate.id == id; });
    TestCase again = test != batch.end() ? *test : TestCase{id, Milliseconds(0)};
    if (again.requeues >= k_max_requeues) {
      charged.push_back(not_run_result(id, "its stack died under it " +
                                             std::to_string(again.requeues + 1) +
                                             " times (" + describe_service_deaths(m_batch_deaths) +
                                             ")"));
      charged.back().shard = m_shard;
      continue;
    }
    ++again.requeues;
    m_requeued.push_back(std::move(again));
  }
  if (ids.size() > charged.size()) {
    m_services.events.message("[shard " + std::to_string(m_shard) + "] " +
                              std::to_string(ids.size() - charged.size()) +
                              " test(s) ran after " + describe_service_deaths(m_batch_deaths) +
                              ": they run again on the recreated stack");
  }
  results.insert(results.end(), charged.begin(), charged.end());
}

std::vector<TestCase> StackShardSession::take_requeued()
{
  return std::exchange(m_requeued, {});
}

std::vector<TestResult> StackShardSession::results_without_stack(const TestBatch& batch) const
{
  std::vector<TestResult> results;
  for (const auto& test : batch) {
    results.push_back(not_run_result(test.id, m_stack_error));
    results.back().shard = m_shard;
  }
  return results;
}

StackShardSessionFactory::StackShardSessionFactory(const ShardSettings& settings,
                                                   const ShardServices& services)
  : m_settings(settings),
    m_services(services)
{
}

std::unique_ptr<ShardSession> StackShardSessionFactory::open(int shard)
{
  return std::make_unique<StackShardSession>(m_settings, m_services, shard);
}

}  // namespace orchestrate
