#pragma once

#include "config/SuiteConfig.hpp"
#include "docker/ComposeModel.hpp"
#include "docker/DockerEngine.hpp"
#include "pool/PoolInventory.hpp"
#include "pool/PoolKey.hpp"
#include "reporting/JsonReport.hpp"
#include "resources/StackAdmission.hpp"
#include "run/FreshStackProvider.hpp"
#include "run/StackProvider.hpp"

#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace orchestrate {

// What a --reuse run's stacks have in common, beyond what the fresh provider knows.
struct PooledStackSettings
{
  PoolPlace place;
  PoolKey key;                 // the stacks this run would start; only equal keys are claimed
  Milliseconds ttl{900'000};   // idle deadline of the stacks it returns
  FreshStackSettings stacks;   // as the fresh provider's: files, model, fixtures, timeouts
  std::function<void(const std::string&)> on_message;  // lines for the user; may be empty
};

// The provider of a --reuse run (docs/warm-stacks.md). For each shard it claims an idle warm
// stack of the pool whose key equals the run's (an exclusive StackClaim: two runs never share a
// stack), checks that its images are still the ones it was started from and hands it over; the
// stack's up() resets its fixtures' services (reset_stack_services), after the session has
// started the tests' worker on its known ports, and the session then runs the readiness gate
// again. A stale stack (another key, a rebuilt image) is removed, never used; so is one whose
// reset fails, and the next candidate or a fresh stack takes its place. With no warm stack left it
// asks `fresh` for a new one, claimed as well. When a shard releases its stack, the stack goes back
// to the pool (labelled, recorded, deadline now + ttl) instead of being removed, unless its
// services are broken; the pool keeper is started to remove it at its deadline.
class PooledStackProvider : public StackProvider
{
public:
  // `fresh` must label its stacks as the pool's (StackOwnership::pool = pool_label(place));
  // `fresh`, `engine` and `admission` (optional) must outlive this provider and its stacks.
  PooledStackProvider(PooledStackSettings settings, StackProvider& fresh, DockerEngine& engine,
                      StackAdmission* admission);
  // Waits for the removals of stale stacks it started.
  ~PooledStackProvider() override;

  std::unique_ptr<ShardStack> provide(int shard, const std::filesystem::path& shard_dir) override;

  // Marks in `shards` whose first stack was warm and how long its reset took.
  void annotate(std::vector<ShardTiming>& shards) const;

  // Records a shard's warm claim (called by its stack). Thread-safe.
  void note_warm(int shard, Milliseconds reset);

  // Records how long resetting a shard's stack for the next run took, when it was returned.
  // Thread-safe.
  void note_reset_for_next_run(int shard, Milliseconds reset);

  const PooledStackSettings& settings() const
  {
    return m_settings;
  }

  // A line for the user (on_message). Thread-safe as on_message is.
  void say(const std::string& line) const;

private:
  // The first time: the pool's records, split into candidates (equal key) and stale ones, which
  // are removed in the background.
  void list_candidates();
  // Which candidate `shard` takes (m_candidates not empty; m_mutex held).
  std::vector<std::string>::iterator candidate_for(int shard);
  // The next candidate claimed and reset, or nullptr when none is left.
  std::unique_ptr<ShardStack> claim_warm(int shard, const std::filesystem::path& shard_dir);

  PooledStackSettings m_settings;
  StackProvider& m_fresh;
  DockerEngine& m_engine;
  StackAdmission* m_admission;
  std::mutex m_mutex;
  bool m_listed = false;
  std::vector<std::string> m_candidates;  // stacks, taken from the back
  std::vector<std::future<void>> m_removals;
  mutable std::mutex m_uses_mutex;
  std::map<int, Milliseconds> m_warm_resets;  // shard -> reset time of its first warm stack
  std::map<int, Milliseconds> m_next_run_resets;  // shard -> resets of the stacks it returned
};

}  // namespace orchestrate
