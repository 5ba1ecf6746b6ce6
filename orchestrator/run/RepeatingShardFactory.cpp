#include "run/RepeatingShardFactory.hpp"

#include "process/SignalState.hpp"

#include <map>

namespace orchestrate {

namespace {

class RepeatingSession : public ShardSession
{
public:
  RepeatingSession(std::unique_ptr<ShardSession> inner, const RepeatPlan& plan, RepeatTally& tally)
    : m_inner(std::move(inner)),
      m_plan(plan),
      m_tally(tally)
  {
  }

  std::vector<TestResult> run_batch(const TestBatch& batch) override
  {
    // Set by the scheduler after open(): the inner session reports through it.
    m_inner->on_test_finished = on_test_finished;
    std::map<std::string, std::vector<TestResult>> runs;
    TestBatch pending = batch;
    while (!pending.empty()) {
      for (auto& result : m_inner->run_batch(pending)) {
        m_tally.record(result);
        runs[result.id].push_back(std::move(result));
      }
      if (should_stop_children()) {
        break;
      }
      TestBatch again;
      for (const auto& test : pending) {
        std::vector<Outcome> outcomes;
        for (const auto& run : runs[test.id]) {
          outcomes.push_back(run.outcome);
        }
        if (!outcomes.empty() && m_plan.wants_another_run(outcomes)) {
          again.push_back(test);
        }
      }
      pending = std::move(again);
    }
    std::vector<TestResult> combined;
    for (const auto& test : batch) {
      const auto found = runs.find(test.id);
      if (found != runs.end() && !found->second.empty()) {
        combined.push_back(m_plan.combine(found->second));
      }
    }
    return combined;
  }

private:
  std::unique_ptr<ShardSession> m_inner;
  const RepeatPlan& m_plan;
  RepeatTally& m_tally;
};

}  // namespace

RepeatingShardFactory::RepeatingShardFactory(ShardSessionFactory& inner, RepeatPlan plan,
                                             RepeatTally& tally)
  : m_inner(inner),
    m_plan(plan),
    m_tally(tally)
{
}

std::unique_ptr<ShardSession> RepeatingShardFactory::open(int shard)
{
  return std::make_unique<RepeatingSession>(m_inner.open(shard), m_plan, m_tally);
}

void expect_repeats(std::vector<TestCase>& tests, const RepeatPlan& plan)
{
  for (auto& test : tests) {
    test.expected *= plan.runs;
  }
}

}  // namespace orchestrate
