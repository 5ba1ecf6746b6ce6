#include "reporting/TraceFile.hpp"

#include "reporting/ReportFile.hpp"

#include <set>

namespace orchestrate {

namespace {

using Json = nlohmann::json;

constexpr int k_pid = 1;
constexpr int k_run_tid = 0;  // the run's own track, above the shards

long long to_microseconds(Milliseconds duration)
{
  return static_cast<long long>(duration.count()) * 1000;
}

Json metadata(const char* name, int tid, Json args)
{
  return Json{{"name", name}, {"cat", "__metadata"}, {"ph", "M"}, {"ts", 0},
              {"pid", k_pid}, {"tid", tid}, {"args", std::move(args)}};
}

Json complete(const std::string& name, const char* category, int tid, Milliseconds start,
              Milliseconds duration, Json args)
{
  return Json{{"name", name},
              {"cat", category},
              {"ph", "X"},
              {"ts", to_microseconds(start)},
              {"dur", to_microseconds(duration)},
              {"pid", k_pid},
              {"tid", tid},
              {"args", std::move(args)}};
}

const char* category_of(SpanKind kind)
{
  switch (kind) {
    case SpanKind::k_test:
      return "test";
    case SpanKind::k_batch:
      return "batch";
    default:
      return "stack";
  }
}

// Every shard that has a track: those in the report and those seen in the timeline.
std::set<int> shards_of(const RunRecord& record)
{
  std::set<int> shards;
  for (const auto& shard : record.report.shards) {
    shards.insert(shard.shard);
  }
  for (const auto& span : record.timeline.spans) {
    shards.insert(span.shard);
  }
  return shards;
}

}  // namespace

Json build_trace(const RunRecord& record)
{
  const RunReport& report = record.report;
  Json events = Json::array();
  events.push_back(metadata("process_name", k_run_tid,
                            {{"name", "orchestrate " + report.suite + " (run " + report.run_id +
                                        ")"}}));
  events.push_back(metadata("thread_name", k_run_tid, {{"name", "run"}}));
  events.push_back(metadata("thread_sort_index", k_run_tid, {{"sort_index", 0}}));
  for (const int shard : shards_of(record)) {
    events.push_back(metadata("thread_name", shard, {{"name", "shard " + std::to_string(shard)}}));
    events.push_back(metadata("thread_sort_index", shard, {{"sort_index", shard}}));
  }

  events.push_back(complete("run", "run", k_run_tid, Milliseconds(0), report.wall_time,
                            {{"exit_code", to_int(report.exit_code)},
                             {"environment", report.environment}}));
  if (report.time_to_first_up.count() > 0) {
    events.push_back(complete("start-up", "run", k_run_tid, Milliseconds(0),
                              report.time_to_first_up, Json::object()));
  }
  for (const auto& span : record.timeline.spans) {
    Json args = Json::object();
    if (span.kind == SpanKind::k_test) {
      args = {{"outcome", span.outcome}, {"attempt", span.attempt}};
    }
    events.push_back(
      complete(span.name, category_of(span.kind), span.shard, span.start, span.duration, args));
  }
  for (const auto& sample : record.timeline.memory) {
    for (const auto& [shard, bytes] : sample.bytes_by_shard) {
      const double mebibytes = static_cast<double>(bytes) / (1024.0 * 1024.0);
      events.push_back(Json{{"name", "memory shard " + std::to_string(shard)},
                            {"cat", "memory"},
                            {"ph", "C"},
                            {"ts", to_microseconds(sample.at)},
                            {"pid", k_pid},
                            {"tid", k_run_tid},
                            {"args", {{"MiB", mebibytes}}}});
    }
  }
  return Json{{"traceEvents", std::move(events)},
              {"displayTimeUnit", "ms"},
              {"otherData", {{"run_id", report.run_id}, {"suite", report.suite}}}};
}

void write_trace_file(const std::filesystem::path& file, const RunRecord& record)
{
  write_report_file(file,
                    build_trace(record).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n",
                    "trace");
}

}  // namespace orchestrate
