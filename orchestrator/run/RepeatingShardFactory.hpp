#pragma once

#include "scheduling/ShardSession.hpp"
#include "selection/RepeatPlan.hpp"

#include <memory>
#include <vector>

namespace orchestrate {

// `--repeat`: wraps each session of `inner` so that a batch's tests run again, in the same shard
// and against the same stack, as long as `plan` wants another run of them (all of a batch's
// pending tests together, one runner start-up per round). Each run is recorded in `tally`; the
// scheduler gets one combined result per test (RepeatPlan::combine). An interrupt or -x stop
// ends the rounds at once.
class RepeatingShardFactory : public ShardSessionFactory
{
public:
  // `inner` and `tally` must outlive the factory and its sessions.
  RepeatingShardFactory(ShardSessionFactory& inner, RepeatPlan plan, RepeatTally& tally);

  std::unique_ptr<ShardSession> open(int shard) override;

private:
  ShardSessionFactory& m_inner;
  RepeatPlan m_plan;
  RepeatTally& m_tally;
};

// Scales each test's expected duration by the runs `plan` allows, so that the queue balances the
// shards by what they will really run.
void expect_repeats(std::vector<TestCase>& tests, const RepeatPlan& plan);

}  // namespace orchestrate
