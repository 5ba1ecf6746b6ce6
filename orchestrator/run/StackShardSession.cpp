#include "run/StackShardSession.hpp"

#include "docker/ProjectName.hpp"

#include <chrono>
#include <ctime>

namespace orchestrate {

namespace {

Milliseconds since(std::chrono::steady_clock::time_point start)
{
  return std::chrono::duration_cast<Milliseconds>(std::chrono::steady_clock::now() - start);
}

}  // namespace

StackShardSession::StackShardSession(RunContext& context, int shard)
  : m_context(context),
    m_shard(shard),
    m_shard_dir(context.run_dir / ("shard-" + std::to_string(shard)))
{
  std::filesystem::create_directories(m_shard_dir);
  m_timing.shard = shard;
  m_environment["ORCHESTRATE_SHARD_INDEX"] = std::to_string(shard);
  m_environment["ORCHESTRATE_SHARD_COUNT"] = std::to_string(context.shard_count);
  m_environment["ORCHESTRATE_RUN_ID"] = context.run_id;
  if (context.fixtures.empty()) {
    return;  // a suite without services gets no stack at all
  }

  StackSpec spec;
  spec.ownership.project_prefix = context.project.prefix;
  spec.ownership.environment = context.environment;
  spec.ownership.run_id = context.run_id;
  spec.ownership.shard = shard;
  spec.ownership.stack =
    shard_project_name(context.project.prefix, context.environment, context.run_id, shard);
  spec.ownership.owner = context.owner_label;
  spec.ownership.created_unix_seconds = static_cast<long long>(std::time(nullptr));
  spec.compose_files = context.compose_files;
  spec.work_dir = m_shard_dir;
  spec.model = context.model;
  spec.stop_timeout = context.stop_timeout;
  m_timing.project = spec.ownership.stack;
  m_environment["COMPOSE_PROJECT_NAME"] = spec.ownership.stack;

  if (context.admission != nullptr) {
    // Waits while the memory budget is spent by other shards' stacks: queued, never failed.
    m_admission = context.admission->admit();
  }
  try {
    const auto up_started = std::chrono::steady_clock::now();
    m_stack = std::make_unique<ComposeStack>(std::move(spec), context.engine);
    m_stack->up();
    m_timing.stack_up = since(up_started);
    const auto endpoints = m_stack->wait_ready(context.fixtures, context.readiness_timeout);
    m_timing.ready = since(up_started);
    for (const auto& fixture : context.fixtures) {
      for (auto& [name, value] : fixture_environment(fixture, endpoints.at(fixture.name))) {
        m_environment[name] = value;
      }
    }
  } catch (const std::exception& error) {
    m_timing.error = error.what();
    if (m_stack) {
      m_timing.teardown = m_stack->tear_down().duration;
    }
    m_context.record_shard(m_timing);
    throw;
  }
}

StackShardSession::~StackShardSession()
{
  if (m_stack && m_had_failure && m_context.keep_on_failure) {
    keep_stack_for_inspection();
  } else if (m_stack) {
    m_timing.teardown = m_stack->tear_down().duration;
  }
  m_context.record_shard(m_timing);
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
  m_context.reporter.message(text);
}

std::vector<TestResult> StackShardSession::run_batch(const TestBatch& batch)
{
  m_context.note_first_test();
  const auto started = std::chrono::steady_clock::now();
  BatchRequest request;
  for (const auto& test : batch) {
    request.test_ids.push_back(test.id);
  }
  request.environment = m_environment;
  request.work_dir = m_shard_dir / ("batch-" + std::to_string(++m_batches));
  std::filesystem::create_directories(request.work_dir);
  request.log_file = m_shard_dir / "tests.log";
  if (m_context.test_timeout.count() > 0) {
    request.per_test_timeout = m_context.test_timeout;
  }
  auto outcome = m_context.runner.run_batch(request);
  for (auto& result : outcome.results) {
    result.shard = m_shard;
  }
  for (const auto& result : outcome.results) {
    m_had_failure = m_had_failure || result.outcome == Outcome::k_failed ||
                    result.outcome == Outcome::k_error;
  }
  m_timing.tests += since(started);
  m_timing.tests_run += static_cast<int>(outcome.results.size());
  return std::move(outcome.results);
}

StackShardSessionFactory::StackShardSessionFactory(RunContext& context) : m_context(context)
{
}

std::unique_ptr<ShardSession> StackShardSessionFactory::open(int shard)
{
  return std::make_unique<StackShardSession>(m_context, shard);
}

}  // namespace orchestrate
