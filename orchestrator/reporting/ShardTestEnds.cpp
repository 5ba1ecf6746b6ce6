#include "reporting/ShardTestEnds.hpp"

#include <algorithm>
#include <map>

namespace orchestrate {

void set_tests_ended(std::vector<ShardTiming>& shards, const Timeline& timeline)
{
  std::map<int, Milliseconds> last_end;
  for (const auto& span : timeline.spans) {
    // A runner without live progress leaves only batch spans; with it, test spans end within
    // their batch. Either way the later end is when the shard stopped running tests.
    if (span.kind != SpanKind::k_test && span.kind != SpanKind::k_batch) {
      continue;
    }
    auto& end = last_end[span.shard];
    end = std::max(end, span.start + span.duration);
  }
  for (auto& shard : shards) {
    const auto found = last_end.find(shard.shard);
    if (found != last_end.end()) {
      shard.tests_ended = found->second;
    }
  }
}

}  // namespace orchestrate
