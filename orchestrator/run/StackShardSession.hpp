#pragma once

#include "run/DeadStackVerdict.hpp"
#include "run/ShardSettings.hpp"
#include "run/StackProvider.hpp"
#include "runners/PytestWorker.hpp"
#include "scheduling/ShardSession.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace orchestrate {

// A shard of a real run: its own compose stack (when the suite has fixtures), gated on readiness,
// and the suite's runner pointed at it. Destroying the session tears the stack down (RAII), and
// records the shard's timings.
class StackShardSession : public ShardSession
{
public:
  // Brings the stack up and waits until it is ready. Throws (after tearing down what it started)
  // when it cannot.
  // `settings` and `services` must outlive the session.
  StackShardSession(const ShardSettings& settings, const ShardServices& services, int shard);
  ~StackShardSession() override;

  // With a pytest worker: streams the feed's tests to it (see stream_to_worker). Other runners:
  // small batches (ShardSession::run_tests).
  void run_tests(TestFeed& feed) override;
  std::vector<TestResult> run_batch(const TestBatch& batch) override;
  std::vector<TestCase> take_requeued() override;

private:
  // The persistent pytest worker (docs/worker-protocol.md): keeps k_tests_queued_in_worker tests
  // queued in it, taken from `feed` as it starts them, until the feed has none; replaces it when
  // it dies (its unstarted tests go back to the feed), at most k_max_worker_restarts times.
  // The environment changed since the worker started: tells it the shard count, or replaces it.
  void update_or_replace_worker();
  // Whether the worker should get another test ahead (beyond `about_to_submit` not sent yet).
  bool wants_more_queued(std::size_t about_to_submit) const;
  // The expected time of the tests the worker holds (running, queued, about to be submitted).
  Milliseconds expected_in_worker() const;
  void stream_to_worker(TestFeed& feed);
  void start_worker();
  // A warm stack: adopts the worker parked beside it when it was started as start_worker() would
  // start one now (ParkedPytestWorker), else start_worker().
  void start_or_adopt_worker();
  // Shard 1: waits for its worker's collection and hands it to the run (WorkerCollection), or
  // tells the run to collect centrally.
  void deliver_collection();
  void submit_to_worker(const TestCase& test);
  void handle_worker_event(PytestWorkerEvent& event, TestFeed& feed);
  void worker_test_finished(TestResult result, bool failed, TestFeed& feed);
  void worker_exited(const PytestWorkerEvent& event, TestFeed& feed);
  // A test failed: when a fixture's service is broken, stops the worker, recreates the stack, and
  // returns the results to report (the failed test's and the one cut short), without those that
  // ran against the dead stack: they went back to the feed. Else returns {result}.
  std::vector<TestResult> settle_failure_against_stack(TestResult result, TestFeed& feed);
  // Kills the worker and hands its events to `on_finished` (cut-short tests) until it exited;
  // its unstarted tests go back to the feed.
  void stop_worker(const std::string& reason, TestFeed& feed,
                   const std::function<void(TestResult)>& on_finished);
  void give_back_worker_tests(TestFeed& feed, const std::vector<std::string>& ids);

  // Creates the stack from m_spec, brings it up, gates it, and points m_environment at it.
  void bring_up_stack();
  // Checks the fixtures' services; when one is broken, tears the stack down and brings up a new
  // one (same project name, new ports). When that fails, m_stack_error says why.
  void recreate_stack_if_broken() noexcept;
  // Takes the tests that ran against a dead service out of `results` to run again (see
  // DeadStackVerdict.hpp), at most k_max_requeues times each; names the death in the failure of
  // the test that was running when it happened.
  void requeue_tests_charged_for_dead_stack(const TestBatch& batch,
                                            std::vector<TestResult>& results);
  // An error result per test, carrying m_stack_error.
  std::vector<TestResult> results_without_stack(const TestBatch& batch) const;
  // Tears the stack down and records the teardown on the run's timeline; returns how long it took.
  Milliseconds tear_down_stack() noexcept;
  // Leaves the stack up and prints how to reach it and how to remove it.
  void keep_stack_for_inspection() noexcept;

  const ShardSettings& m_settings;
  const ShardServices& m_services;
  int m_shard;
  ShardTiming m_timing;
  std::filesystem::path m_shard_dir;
  std::map<std::string, std::string> m_environment;
  std::string m_stack_error;  // set when the stack broke and could not be recreated
  int m_batches = 0;
  std::vector<TestTimes> m_batch_times;      // the current batch's tests, as they start and end
  std::vector<ServiceDeath> m_batch_deaths;  // fixtures' services found dead during the batch
  std::vector<TestCase> m_requeued;          // for take_requeued()
  bool m_had_failure = false;
  // The persistent pytest worker, when the suite runs pytest (ShardSettings::pytest_worker).
  std::unique_ptr<PytestWorker> m_worker;
  std::map<std::string, std::string> m_worker_environment;  // what it was started with
  std::map<std::string, TestCase> m_in_worker;  // submitted to it, no result yet
  bool m_worker_shutdown_sent = false;
  bool m_worker_flushed = false;  // told to run what it holds without a next test
  int m_worker_restarts = 0;
  std::unique_ptr<ShardStack> m_stack;  // last member: released first
};

class StackShardSessionFactory : public ShardSessionFactory
{
public:
  // `settings` and `services` must outlive the factory and its sessions.
  StackShardSessionFactory(const ShardSettings& settings, const ShardServices& services);
  std::unique_ptr<ShardSession> open(int shard) override;

private:
  const ShardSettings& m_settings;
  const ShardServices& m_services;
};

}  // namespace orchestrate
