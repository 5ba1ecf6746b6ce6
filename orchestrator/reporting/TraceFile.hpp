#pragma once

#include "reporting/RunRecord.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace orchestrate {

// The run as Chrome trace events (the "JSON Object Format": {"traceEvents": [...]}), which
// Perfetto (ui.perfetto.dev) and chrome://tracing open: one process, the run; one thread per shard
// (tid = shard, named "shard N") holding its phases (stack up, ready, batch, teardown) and every
// test run as complete events (ph "X", ts and dur in microseconds from the run's start, args with
// the outcome and attempt); tid 0, "run", holds the start-up overhead and the whole run; the memory
// samples are counters (ph "C"), one series per shard, in MiB. Every event carries name, cat, ph,
// ts, pid and tid.
nlohmann::json build_trace(const RunRecord& record);

// Writes build_trace(record) to `file`. Throws InternalError when it cannot be written.
void write_trace_file(const std::filesystem::path& file, const RunRecord& record);

}  // namespace orchestrate
