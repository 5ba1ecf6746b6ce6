#pragma once

#include "docker/ComposeStack.hpp"
#include "run/DeadStackVerdict.hpp"
#include "run/ShardSettings.hpp"
#include "scheduling/ShardSession.hpp"

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

  std::vector<TestResult> run_batch(const TestBatch& batch) override;
  std::vector<TestCase> take_requeued() override;

private:
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
  StackSpec m_spec;          // kept to recreate the stack
  std::string m_stack_error;  // set when the stack broke and could not be recreated
  int m_batches = 0;
  std::vector<TestTimes> m_batch_times;      // the current batch's tests, as they start and end
  std::vector<ServiceDeath> m_batch_deaths;  // fixtures' services found dead during the batch
  std::vector<TestCase> m_requeued;          // for take_requeued()
  bool m_had_failure = false;
  AdmissionTicket m_admission;            // released only after the stack is gone
  std::unique_ptr<ComposeStack> m_stack;  // last member: torn down first
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
