#pragma once

#include "reporting/JsonReport.hpp"
#include "reporting/RunTimeline.hpp"

#include <vector>

namespace orchestrate {

// Sets each shard's `tests_ended` from the run's timeline: the end of the last test or batch span
// of that shard (offsets from the run's start). A shard with no such span keeps 0. Never throws
// for spans of shards not in `shards`.
void set_tests_ended(std::vector<ShardTiming>& shards, const Timeline& timeline);

}  // namespace orchestrate
