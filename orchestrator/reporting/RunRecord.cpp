#include "reporting/RunRecord.hpp"

#include "core/Error.hpp"
#include "core/FileText.hpp"
#include "reporting/ReportFile.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>

namespace orchestrate {

namespace {

using Json = nlohmann::json;

constexpr std::array k_span_kinds{SpanKind::k_stack_up, SpanKind::k_ready, SpanKind::k_batch,
                                  SpanKind::k_test, SpanKind::k_teardown};

double to_seconds(Milliseconds duration)
{
  return static_cast<double>(duration.count()) / 1000.0;
}

Milliseconds from_seconds(const Json& value)
{
  const double seconds = value.get<double>();
  if (!std::isfinite(seconds) || seconds < 0) {
    throw std::invalid_argument("expected a non-negative number of seconds");
  }
  return Milliseconds{std::llround(seconds * 1000.0)};
}

SpanKind parse_span_kind(const std::string& name)
{
  for (const SpanKind kind : k_span_kinds) {
    if (span_kind_name(kind) == name) {
      return kind;
    }
  }
  throw std::invalid_argument("unknown span kind '" + name + "'");
}

Json span_to_json(const TimelineSpan& span)
{
  Json json{
    {"shard", span.shard},
    {"kind", std::string(span_kind_name(span.kind))},
    {"name", span.name},
    {"start", to_seconds(span.start)},
    {"duration", to_seconds(span.duration)},
  };
  if (span.kind == SpanKind::k_test) {
    json["outcome"] = span.outcome;
    json["attempt"] = span.attempt;
  }
  return json;
}

TimelineSpan span_from_json(const Json& json)
{
  TimelineSpan span;
  span.shard = json.at("shard").get<int>();
  span.kind = parse_span_kind(json.at("kind").get<std::string>());
  span.name = json.at("name").get<std::string>();
  span.start = from_seconds(json.at("start"));
  span.duration = from_seconds(json.at("duration"));
  span.outcome = json.value("outcome", std::string());
  span.attempt = json.value("attempt", 1);
  return span;
}

Json sample_to_json(const MemorySample& sample)
{
  Json shards = Json::object();
  for (const auto& [shard, bytes] : sample.bytes_by_shard) {
    shards[std::to_string(shard)] = bytes;
  }
  return Json{{"at", to_seconds(sample.at)}, {"bytes_by_shard", shards}};
}

MemorySample sample_from_json(const Json& json)
{
  MemorySample sample;
  sample.at = from_seconds(json.at("at"));
  for (const auto& [shard, bytes] : json.at("bytes_by_shard").items()) {
    sample.bytes_by_shard[std::stoi(shard)] = bytes.get<std::uint64_t>();
  }
  return sample;
}

}  // namespace

void write_timeline(const std::filesystem::path& file, const Timeline& timeline)
{
  Json spans = Json::array();
  for (const auto& span : timeline.spans) {
    spans.push_back(span_to_json(span));
  }
  Json memory = Json::array();
  for (const auto& sample : timeline.memory) {
    memory.push_back(sample_to_json(sample));
  }
  const Json document{{"spans", spans}, {"memory", memory}, {"output", timeline.output}};
  // Replace invalid UTF-8 (test output can carry any bytes) rather than throw mid-write.
  write_report_file(file, document.dump(1, ' ', false, Json::error_handler_t::replace) + "\n",
                    "timeline");
}

Timeline read_timeline(const std::filesystem::path& file)
{
  const auto text = read_file_text(file);
  if (!text) {
    throw InternalError("cannot read timeline " + file.string() + ": " + std::strerror(errno));
  }
  try {
    const Json document = Json::parse(*text);
    Timeline timeline;
    for (const auto& span : document.at("spans")) {
      timeline.spans.push_back(span_from_json(span));
    }
    for (const auto& sample : document.at("memory")) {
      timeline.memory.push_back(sample_from_json(sample));
    }
    timeline.output = document.at("output").get<std::map<std::string, std::string>>();
    return timeline;
  } catch (const std::exception& error) {
    throw InternalError(file.string() + ": not a timeline written by orchestrate: " +
                        error.what());
  }
}

void save_run_record(const std::filesystem::path& run_dir, const RunRecord& record)
{
  write_json_report(run_dir / k_run_report_file, record.report);
  write_timeline(run_dir / k_run_timeline_file, record.timeline);
}

RunRecord load_run_record(const std::filesystem::path& run_dir)
{
  if (!std::filesystem::is_regular_file(run_dir / k_run_report_file)) {
    throw UsageError(run_dir.string() + " is not a run folder of orchestrate (no " +
                     k_run_report_file + "; runs are in .orchestrate/runs/<run id>/)");
  }
  RunRecord record;
  record.report = read_json_report(run_dir / k_run_report_file);
  if (std::filesystem::exists(run_dir / k_run_timeline_file)) {
    record.timeline = read_timeline(run_dir / k_run_timeline_file);
  }
  return record;
}

}  // namespace orchestrate
