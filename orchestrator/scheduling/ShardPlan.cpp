#include "scheduling/ShardPlan.hpp"

#include <algorithm>
#include <map>
#include <numeric>

namespace orchestrate {

std::vector<TestBatch> plan_balanced_shards(const std::vector<TestCase>& tests, int shard_count)
{
  std::vector<TestBatch> shards(static_cast<std::size_t>(std::max(shard_count, 1)));
  std::vector<std::size_t> order(tests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return tests[a].expected > tests[b].expected;
  });

  std::vector<Milliseconds> load(shards.size(), Milliseconds(0));
  std::vector<std::vector<std::size_t>> assigned(shards.size());
  for (auto index : order) {
    const auto lightest = static_cast<std::size_t>(
      std::min_element(load.begin(), load.end()) - load.begin());
    load[lightest] += tests[index].expected;
    assigned[lightest].push_back(index);
  }
  for (std::size_t shard = 0; shard < shards.size(); ++shard) {
    // Collection order inside a shard keeps module-level setup cheap for runners like pytest.
    std::sort(assigned[shard].begin(), assigned[shard].end());
    for (auto index : assigned[shard]) {
      shards[shard].push_back(tests[index]);
    }
  }
  return shards;
}

Milliseconds expected_duration(const TestBatch& batch)
{
  Milliseconds total(0);
  for (const auto& test : batch) {
    total += test.expected;
  }
  return total;
}

}  // namespace orchestrate
