#include "run/StackShardSession.hpp"

#include "docker/FixturePorts.hpp"
#include "docker/ProjectName.hpp"
#include "process/SignalState.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
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

// Tests kept queued in a pytest worker: it runs a test only once it knows the next one (pytest's
// `nextitem`, which keeps shared fixtures up), and one more hides the round trip to orchestrate.
constexpr std::size_t k_tests_queued_in_worker = 2;

// More are queued while they are expected to take less than this together (and the shared queue
// can spare them): for tests of a millisecond, a round trip per test would leave the worker
// waiting on orchestrate's thread (a context switch on a busy machine) as long as the test.
// Tests of 50 ms or more never go beyond two, so the shards stay balanced at the end.
constexpr Milliseconds k_quick_work_queued_in_worker(50);
constexpr std::size_t k_max_tests_queued_in_worker = 64;

// Like pytest-xdist's --max-worker-restart: a worker that keeps dying (a crash at import, a test
// that kills its process every time) ends the shard instead of restarting forever. Its tests stay
// in the queue for the other shards.
constexpr int k_max_worker_restarts = 4;

// How long a shard waits for its worker's next event before looking at interrupts again.
constexpr Milliseconds k_worker_event_wait(100);

// The feed of a run_batch() call: the batch's tests, their results collected for its caller.
// Tests handed back (a dead stack, a dead worker) run again in the same batch; after a stop they
// get an "interrupted" error, as every runner gives a test it could not finish.
class BatchFeed : public TestFeed
{
public:
  explicit BatchFeed(const TestBatch& batch) : m_pending(batch.begin(), batch.end())
  {
  }

  std::optional<TestCase> next() override
  {
    if (m_pending.empty() || should_stop_children()) {
      return std::nullopt;
    }
    TestCase test = std::move(m_pending.front());
    m_pending.pop_front();
    return test;
  }

  void finished(TestResult result) override
  {
    m_results.push_back(std::move(result));
  }

  void give_back(const std::vector<TestCase>& tests) override
  {
    m_pending.insert(m_pending.begin(), tests.begin(), tests.end());
  }

  std::vector<TestResult> take_results()
  {
    for (const auto& test : m_pending) {
      m_results.push_back(not_run_result(test.id, "interrupted"));
    }
    m_pending.clear();
    return std::move(m_results);
  }

private:
  std::deque<TestCase> m_pending;
  std::vector<TestResult> m_results;
};

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
  // The shards asked for; once the tests are selected it may turn out fewer (stream_to_worker).
  m_environment["ORCHESTRATE_SHARD_COUNT"] = std::to_string(settings.parallel);
  if (settings.fixtures.empty()) {
    // A suite without services gets no stack at all; its worker imports the tests at once.
    if (settings.pytest_worker) {
      try {
        start_worker();
        deliver_collection();
      } catch (const std::exception& error) {
        if (m_services.worker_collection != nullptr) {
          m_services.worker_collection->give_up(error.what());
        }
        throw;
      }
    }
    return;
  }

  m_stack = services.stacks->provide(shard, m_shard_dir);
  m_timing.project = m_stack->name();
  m_environment["COMPOSE_PROJECT_NAME"] = m_stack->name();
  services.events.shard_opening(shard);
  try {
    bring_up_stack();
    deliver_collection();
  } catch (const std::exception& error) {
    if (m_services.worker_collection != nullptr) {
      m_services.worker_collection->give_up(error.what());
    }
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
  // A few stacks of an engine start at once (StartSlots.hpp): held until ready, or its bound.
  const StartSlot start_slot = m_stack->take_start_slot();
  const auto up_started = std::chrono::steady_clock::now();
  const auto add_fixture_environment = [this](const std::map<std::string, ReadyEndpoint>& endpoints) {
    for (const auto& fixture : m_settings.fixtures) {
      for (auto& [name, value] : fixture_environment(fixture, endpoints.at(fixture.name))) {
        m_environment[name] = value;
      }
    }
  };
  m_services.events.stack_starting(m_shard);
  std::optional<std::map<std::string, ReadyEndpoint>> known_before_up;
  if (m_settings.pytest_worker) {
    known_before_up = m_stack->endpoints_before_up();
  }
  if (known_before_up) {
    // A warm stack: its worker waits parked beside it, or imports and collects while up() resets
    // the services.
    m_worker.reset();
    add_fixture_environment(*known_before_up);
    start_or_adopt_worker();
  }
  m_stack->up();
  // A warm stack whose reset failed was replaced by another one, under another name.
  m_timing.project = m_stack->name();
  m_environment["COMPOSE_PROJECT_NAME"] = m_stack->name();
  m_timing.stack_up = since(up_started);
  m_services.events.stack_up(m_shard, up_started);
  const auto ready_started = std::chrono::steady_clock::now();  // after stack up's end: no overlap
  if (m_settings.pytest_worker && !known_before_up) {
    // The ports are known once the containers run: the worker imports and collects the tests
    // (which may read the fixtures' variables at import) while the services get ready.
    m_worker.reset();
    if (const auto published = m_stack->published_endpoints()) {
      add_fixture_environment(*published);
      start_worker();
    }
  }
  add_fixture_environment(m_stack->wait_ready());
  m_timing.ready = since(up_started);
  m_services.events.stack_ready(m_shard, ready_started);
  if (m_settings.pytest_worker && (!m_worker || m_worker_environment != m_environment)) {
    start_worker();  // the ports were not published before readiness, or have changed
  }
}

void StackShardSession::deliver_collection()
{
  if (m_shard != 1 || m_services.worker_collection == nullptr || !m_worker) {
    return;
  }
  while (true) {
    if (should_stop_children()) {
      throw InterruptedError("interrupted (" + describe_interrupt() + ") while collecting suite '" +
                             m_settings.suite + "'");
    }
    auto event = m_worker->next_event(k_worker_event_wait);
    if (!event) {
      continue;
    }
    if (event->kind == PytestWorkerEvent::Kind::k_collected) {
      if (event->collection_errors.empty()) {
        m_services.worker_collection->deliver(std::move(event->ids));
      } else {
        m_services.worker_collection->give_up("some modules failed to import");
      }
      return;
    }
    if (event->kind == PytestWorkerEvent::Kind::k_exited) {
      m_services.worker_collection->give_up(event->cause);
      m_worker.reset();  // the shard starts another when it gets tests
      return;
    }
  }
}

void StackShardSession::recreate_stack_if_broken() noexcept
{
  if (!m_stack || !m_stack_error.empty()) {
    return;
  }
  try {
    const auto broken = m_stack->broken_services();
    if (broken.empty()) {
      return;
    }
    std::string why;
    for (const auto& service : broken) {
      why += (why.empty() ? "" : ", ") + service;
    }
    try {
      // How and when each died decides which tests ran against the dead stack.
      auto deaths = m_stack->service_deaths();
      if (!deaths.empty()) {
        why = describe_service_deaths(deaths);
      }
      m_batch_deaths.insert(m_batch_deaths.end(), deaths.begin(), deaths.end());
    } catch (const std::exception& error) {
      spdlog::debug("shard {}: cannot tell how its services died: {}", m_shard, error.what());
    }
    m_services.events.message("[shard " + std::to_string(m_shard) + "] stack " +
                              m_stack->name() + " became unhealthy (" + why +
                              "): recreating it");
    m_timing.teardown += tear_down_stack();
    m_stack.reset();
    m_stack = m_services.stacks->provide(m_shard, m_shard_dir);
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
    if (m_settings.pytest_worker && m_stack_error.empty() && !should_stop_children()) {
      // --reuse: the next run's worker waits warm beside the stack (a fresh stack ignores it).
      m_stack->keep_worker_warm(*m_settings.pytest_worker, m_environment);
    }
    m_timing.teardown = tear_down_stack();
  }
  m_services.events.shard_closed(m_timing);
}

Milliseconds StackShardSession::tear_down_stack() noexcept
{
  const auto duration = m_stack->release();
  m_services.events.teardown_ended(m_shard, duration);
  return duration;
}

void StackShardSession::keep_stack_for_inspection() noexcept
{
  m_stack->keep();
  std::string text = "[shard " + std::to_string(m_shard) + "] kept stack " +
                     m_stack->name() + " for inspection (--keep-on-failure):\n";
  for (const auto& [name, value] : m_environment) {
    text += "    " + name + "=" + value + "\n";
  }
  text += "  remove it with: orchestrate cleanup   (its owner has exited, so cleanup finds it)";
  m_services.events.message(text);
}

std::vector<TestResult> StackShardSession::run_batch(const TestBatch& batch)
{
  if (m_settings.pytest_worker) {
    BatchFeed feed(batch);
    stream_to_worker(feed);
    return feed.take_results();
  }
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

void StackShardSession::run_tests(TestFeed& feed)
{
  if (!m_settings.pytest_worker) {
    ShardSession::run_tests(feed);
    return;
  }
  stream_to_worker(feed);
}

void StackShardSession::start_worker()
{
  auto options = *m_settings.pytest_worker;
  options.log_file = m_shard_dir / "tests.log";
  m_worker = std::make_unique<PytestWorker>(options);
  m_worker_environment = m_environment;
  m_worker_shutdown_sent = false;
  m_worker_flushed = false;
  m_worker->start(m_environment);
}

void StackShardSession::start_or_adopt_worker()
{
  const auto parked = m_stack->parked_worker();
  if (!parked) {
    start_worker();
    return;
  }
  if (const auto difference =
        parked_worker_difference(*parked, *m_settings.pytest_worker, m_environment)) {
    // Nobody else may use it: the stack is this run's now.
    stop_parked_worker(parked->escape_token);
    spdlog::debug("shard {}: the warm worker was started with another {}", m_shard, *difference);
    start_worker();
    return;
  }
  auto options = *m_settings.pytest_worker;
  options.log_file = m_shard_dir / "tests.log";
  auto worker = std::make_unique<PytestWorker>(options);
  std::map<std::string, std::string> run_variables;
  for (const auto& name : run_specific_variables()) {
    if (const auto value = m_environment.find(name); value != m_environment.end()) {
      run_variables.emplace(name, value->second);
    }
  }
  const auto adoption = worker->adopt(*parked, run_variables);
  if (adoption.kind != PytestWorker::Adoption::Kind::k_adopted) {
    stop_parked_worker(parked->escape_token);  // whatever is left of it: the stack is ours now
    spdlog::debug("shard {}: warm worker not used: {}", m_shard, adoption.reason);
    start_worker();
    return;
  }
  m_worker = std::move(worker);
  m_worker_environment = m_environment;
  m_worker_shutdown_sent = false;
  m_worker_flushed = false;
  m_timing.warm_worker = true;
}

void StackShardSession::submit_to_worker(const TestCase& test)
{
  m_in_worker[test.id] = test;
  m_worker->submit({test.id});
  m_worker_flushed = false;  // a flush covers only what the worker held when it was sent
}

void StackShardSession::update_or_replace_worker()
{
  // A worker that opened before the tests were selected was told the shard count asked for; the
  // selection may give fewer shards. Restarting it for that would cost a whole start-up (imports,
  // collection: most of a one-test run), so the worker is told the count instead: a test reading
  // it when it runs sees the right one. Any other difference (a fixture's port) means the
  // imports saw something else: a new worker.
  std::map<std::string, std::string> changed;
  for (const auto& [name, value] : m_environment) {
    const auto old = m_worker_environment.find(name);
    if (old == m_worker_environment.end() || old->second != value) {
      changed[name] = value;
    }
  }
  const bool only_shard_count = changed.size() == 1 && changed.contains("ORCHESTRATE_SHARD_COUNT") &&
                                m_worker_environment.size() == m_environment.size();
  if (only_shard_count) {
    m_worker->set_environment(changed);
    m_worker_environment = m_environment;
  } else {
    m_worker.reset();
  }
}

Milliseconds StackShardSession::expected_in_worker() const
{
  Milliseconds expected(0);
  for (const auto& [id, test] : m_in_worker) {
    expected += test.expected;
  }
  return expected;
}

bool StackShardSession::wants_more_queued(std::size_t about_to_submit) const
{
  const auto& queued = m_worker->queued();
  const std::size_t count = queued.size() + about_to_submit;
  if (count < k_tests_queued_in_worker) {
    return true;
  }
  if (count >= k_max_tests_queued_in_worker) {
    return false;
  }
  // The ones about to be submitted are in m_in_worker already, but not in queued() yet.
  return expected_in_worker() < k_quick_work_queued_in_worker;
}

void StackShardSession::stream_to_worker(TestFeed& feed)
{
  const auto started = std::chrono::steady_clock::now();
  // Known only once the tests are selected: the first shard may have opened before that.
  m_environment["ORCHESTRATE_SHARD_COUNT"] = std::to_string(m_services.shard_count.get());
  bool feed_empty = false;
  while (true) {
    if (should_stop_children()) {
      if (m_worker) {
        stop_worker("interrupted", feed, [&feed](TestResult result) {
          // The scheduler's word for a test cut short by a stop: it did not run.
          result.outcome = Outcome::k_error;
          result.message = "interrupted";
          feed.finished(std::move(result));
        });
      }
      break;
    }
    if (!m_stack_error.empty()) {
      throw InternalError(m_stack_error);
    }
    if (m_worker && m_in_worker.empty() && m_worker_environment != m_environment) {
      update_or_replace_worker();
    }
    if (!m_worker) {
      auto first = feed.next();
      if (!first) {
        break;
      }
      start_worker();
      submit_to_worker(*first);
      feed_empty = false;
    }
    // Tests ahead of the running one only while the queue can spare them: near the end, a shard
    // holding three tests could leave another shard idle.
    std::vector<std::string> to_submit;
    while (!feed_empty && !m_worker_shutdown_sent && wants_more_queued(to_submit.size()) &&
           (m_in_worker.empty() || feed.has_tests_to_spare())) {
      auto test = m_in_worker.empty() ? feed.next() : feed.next_behind(expected_in_worker());
      if (!test) {
        feed_empty = true;
        break;
      }
      m_in_worker[test->id] = *test;
      to_submit.push_back(test->id);
    }
    if (!to_submit.empty()) {
      m_worker->submit(to_submit);  // one command for all: one wake-up of the worker
      m_worker_flushed = false;
    }
    if (feed_empty && !m_worker_shutdown_sent) {
      // Lets the worker run its last test (it waits to know the next one) and end.
      m_worker->shutdown();
      m_worker_shutdown_sent = true;
      if (m_stack && m_stack_error.empty()) {
        // --reuse: the next run's worker may start now, beside this shard's last tests.
        m_stack->keep_worker_warm(*m_settings.pytest_worker, m_environment);
      }
    } else if (!m_worker_shutdown_sent && !m_worker_flushed && !m_in_worker.empty() &&
               m_worker->queued().size() < k_tests_queued_in_worker &&
               !feed.has_tests_to_spare()) {
      // It may not learn its next test yet: it runs what it holds and waits for more.
      m_worker->flush();
      m_worker_flushed = true;
    }
    if (auto event = m_worker->next_event(k_worker_event_wait)) {
      handle_worker_event(*event, feed);
    }
  }
  m_timing.tests += since(started);
  m_services.events.batch_ended(m_shard, started);
}

void StackShardSession::handle_worker_event(PytestWorkerEvent& event, TestFeed& feed)
{
  switch (event.kind) {
  case PytestWorkerEvent::Kind::k_collected:
    for (const auto& error : event.collection_errors) {
      note_in_log(m_shard_dir / "tests.log", "collection error: " + error);
    }
    break;
  case PytestWorkerEvent::Kind::k_started:
    m_batch_times.push_back({event.test_id, WallClock::now(), std::nullopt});
    m_services.events.test_started(m_shard, event.test_id);
    break;
  case PytestWorkerEvent::Kind::k_finished:
    worker_test_finished(std::move(event.result), event.failed, feed);
    break;
  case PytestWorkerEvent::Kind::k_need_more:
    break;  // topped up by the loop
  case PytestWorkerEvent::Kind::k_exited:
    worker_exited(event, feed);
    break;
  }
}

void StackShardSession::worker_test_finished(TestResult result, bool failed, TestFeed& feed)
{
  result.shard = m_shard;
  m_services.events.test_ended(m_shard, result.id, failed);
  for (auto& times : m_batch_times) {
    if (times.id == result.id && !times.finished) {
      times.finished = WallClock::now();
    }
  }
  std::vector<TestResult> results{std::move(result)};
  if (failed) {
    m_had_failure = true;
    results = settle_failure_against_stack(std::move(results.front()), feed);
  }
  for (auto& settled : results) {
    m_in_worker.erase(settled.id);
    ++m_timing.tests_run;
    if (on_test_finished) {
      on_test_finished(settled.id, settled.outcome == Outcome::k_failed ||
                                     settled.outcome == Outcome::k_error);
    }
    feed.finished(std::move(settled));
  }
  // Only the tests around a death matter (DeadStackVerdict): older ones are forgotten.
  constexpr std::size_t k_times_kept = 64;
  if (m_batch_times.size() > k_times_kept) {
    m_batch_times.erase(m_batch_times.begin(),
                        m_batch_times.end() - static_cast<std::ptrdiff_t>(k_times_kept));
  }
}

std::vector<TestResult> StackShardSession::settle_failure_against_stack(TestResult result,
                                                                        TestFeed& feed)
{
  std::vector<TestResult> results{std::move(result)};
  if (!m_stack) {
    return results;
  }
  try {
    if (m_stack->broken_services().empty()) {
      return results;
    }
  } catch (const std::exception& error) {
    spdlog::debug("shard {}: cannot check its stack: {}", m_shard, error.what());
    return results;
  }
  // Every test the worker runs from now on runs against the broken stack: stop it first.
  if (m_worker) {
    stop_worker("its stack broke", feed,
                [this, &results](TestResult cut) {
                  cut.shard = m_shard;
                  results.push_back(std::move(cut));
                });
  }
  m_batch_deaths.clear();
  recreate_stack_if_broken();
  if (!m_stack_error.empty() || m_batch_deaths.empty()) {
    return results;
  }
  const auto ids = apply_service_deaths(m_batch_times, m_batch_deaths, results);
  std::vector<TestCase> again;
  for (const auto& id : ids) {
    const auto found = m_in_worker.find(id);
    TestCase test = found != m_in_worker.end() ? found->second : TestCase{id, Milliseconds(0)};
    m_in_worker.erase(id);
    if (test.requeues >= k_max_requeues) {
      results.push_back(not_run_result(id, "its stack died under it " +
                                             std::to_string(test.requeues + 1) + " times (" +
                                             describe_service_deaths(m_batch_deaths) + ")"));
      results.back().shard = m_shard;
      continue;
    }
    ++test.requeues;
    again.push_back(std::move(test));
  }
  if (!again.empty()) {
    m_services.events.message("[shard " + std::to_string(m_shard) + "] " +
                              std::to_string(again.size()) + " test(s) ran after " +
                              describe_service_deaths(m_batch_deaths) +
                              ": they run again on the recreated stack");
    feed.give_back(again);
  }
  return results;
}

void StackShardSession::stop_worker(const std::string& reason, TestFeed& feed,
                                    const std::function<void(TestResult)>& on_finished)
{
  m_worker->kill(reason);
  while (auto event = m_worker->next_event(Milliseconds(0))) {
    if (event->kind == PytestWorkerEvent::Kind::k_finished) {
      m_services.events.test_ended(m_shard, event->result.id, true);
      on_finished(std::move(event->result));
    } else if (event->kind == PytestWorkerEvent::Kind::k_exited) {
      give_back_worker_tests(feed, event->ids);
      break;
    }
  }
  m_worker.reset();
}

void StackShardSession::give_back_worker_tests(TestFeed& feed, const std::vector<std::string>& ids)
{
  std::vector<TestCase> tests;
  for (const auto& id : ids) {
    const auto found = m_in_worker.find(id);
    if (found != m_in_worker.end()) {
      tests.push_back(found->second);
      m_in_worker.erase(found);
    }
  }
  feed.give_back(tests);
}

void StackShardSession::worker_exited(const PytestWorkerEvent& event, TestFeed& feed)
{
  give_back_worker_tests(feed, event.ids);
  // Whatever is left got no result and was not named as unstarted: it runs again elsewhere.
  std::vector<std::string> unaccounted;
  for (const auto& [id, test] : m_in_worker) {
    unaccounted.push_back(id);
  }
  give_back_worker_tests(feed, unaccounted);
  m_worker.reset();
  if (event.expected) {
    return;
  }
  ++m_worker_restarts;
  note_in_log(m_shard_dir / "tests.log",
              "the pytest worker ended (" + event.cause + "); restart " +
                std::to_string(m_worker_restarts) + " of at most " +
                std::to_string(k_max_worker_restarts));
  if (m_worker_restarts > k_max_worker_restarts) {
    throw InternalError("its pytest worker ended " + std::to_string(m_worker_restarts) +
                        " times (at most " + std::to_string(k_max_worker_restarts) +
                        " restarts per shard); the last time: " + event.cause);
  }
  // What killed the test may have taken a service down with it: the next worker gets a
  // working stack.
  recreate_stack_if_broken();
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
