#include "reporting/JsonReport.hpp"

#include "core/Error.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <utility>

namespace orchestrate {

namespace {

using Json = nlohmann::json;

double to_seconds(Milliseconds duration)
{
  return static_cast<double>(duration.count()) / 1000.0;
}

// The JSON keys of the summary counts and of the shard phases, shared by writer and reader so the
// two cannot drift apart.
constexpr std::array<std::pair<const char*, int SummaryCounts::*>, 10> k_count_keys{{
  {"failed", &SummaryCounts::failed},
  {"passed", &SummaryCounts::passed},
  {"skipped", &SummaryCounts::skipped},
  {"deselected", &SummaryCounts::deselected},
  {"xfailed", &SummaryCounts::xfailed},
  {"xpassed", &SummaryCounts::xpassed},
  {"errors", &SummaryCounts::errors},
  {"flaky", &SummaryCounts::flaky},
  {"reruns", &SummaryCounts::reruns},
  {"not_run", &SummaryCounts::not_run},
}};

constexpr std::array<std::pair<const char*, Milliseconds ShardTiming::*>, 4> k_phase_keys{{
  {"stack_up", &ShardTiming::stack_up},
  {"ready", &ShardTiming::ready},
  {"tests", &ShardTiming::tests},
  {"teardown", &ShardTiming::teardown},
}};
constexpr const char* k_tests_ended_key = "tests_ended";

Json counts_to_json(const SummaryCounts& counts)
{
  Json json = Json::object();
  for (const auto& [key, field] : k_count_keys) {
    json[key] = counts.*field;
  }
  return json;
}

Json shard_to_json(const ShardTiming& shard)
{
  Json json{
    {"shard", shard.shard},
    {"project", shard.project},
    {"peak_memory_bytes", shard.peak_memory_bytes},
    {"tests_run", shard.tests_run},
    {"stack_recreations", shard.stack_recreations},
    {"error", shard.error},
    {"engine", shard.engine},
    {"warm_stack", shard.warm_stack},
    {"reset", to_seconds(shard.reset)},
    {"warm_worker", shard.warm_worker},
    {"reset_for_next_run", to_seconds(shard.reset_for_next_run)},
  };
  for (const auto& [key, field] : k_phase_keys) {
    json[key] = to_seconds(shard.*field);
  }
  json[k_tests_ended_key] = to_seconds(shard.tests_ended);
  return json;
}

Json test_to_json(const TestResult& test)
{
  return Json{
    {"id", test.id},
    {"outcome", std::string(outcome_name(test.outcome))},
    {"duration", to_seconds(test.duration)},
    {"shard", test.shard},
    {"attempts", test.attempts},
    {"flaky", test.flaky},
    {"message", test.message},
  };
}

// Reads typed values out of a JSON object; errors name the file and where in it the value is
// ("tests[3].outcome"), so a hand-edited or truncated report is easy to fix.
class JsonObjectReader
{
public:
  JsonObjectReader(const Json& object, const std::string& file, std::string where)
    : m_object(object),
      m_file(file),
      m_where(std::move(where))
  {
    if (!m_object.is_object()) {
      fail("expected an object");
    }
  }

  std::string string(const char* key, bool optional = false) const
  {
    const Json* value = find(key, optional);
    if (value == nullptr) {
      return {};
    }
    if (!value->is_string()) {
      fail(key, "expected a string");
    }
    return value->get<std::string>();
  }

  // An optional key that is missing reads as 0 (reports written before the key existed).
  int integer(const char* key, bool optional = false) const
  {
    const Json* value = find(key, optional);
    if (value == nullptr) {
      return 0;
    }
    if (!value->is_number_integer()) {
      fail(key, "expected an integer");
    }
    return value->get<int>();
  }

  std::uint64_t byte_count(const char* key) const
  {
    const Json& value = *find(key);
    if (!value.is_number_unsigned()) {
      fail(key, "expected a non-negative integer");
    }
    return value.get<std::uint64_t>();
  }

  // An optional key that is missing reads as false (reports written before the key existed).
  bool boolean(const char* key, bool optional = false) const
  {
    const Json* value = find(key, optional);
    if (value == nullptr) {
      return false;
    }
    if (!value->is_boolean()) {
      fail(key, "expected true or false");
    }
    return value->get<bool>();
  }

  // An optional key that is missing reads as 0 (reports written before the key existed).
  Milliseconds seconds(const char* key, bool optional = false) const
  {
    const Json* value = find(key, optional);
    if (value == nullptr) {
      return Milliseconds{0};
    }
    if (!value->is_number() || !std::isfinite(value->get<double>()) || value->get<double>() < 0) {
      fail(key, "expected a duration in seconds (a non-negative number)");
    }
    return Milliseconds{std::llround(value->get<double>() * 1000.0)};
  }

  const Json& array(const char* key) const
  {
    const Json& value = *find(key);
    if (!value.is_array()) {
      fail(key, "expected an array");
    }
    return value;
  }

  JsonObjectReader object(const char* key) const
  {
    return JsonObjectReader(*find(key), m_file, path_of(key));
  }

  JsonObjectReader element(const char* key, std::size_t index) const
  {
    return JsonObjectReader(array(key).at(index), m_file,
                            path_of(key) + "[" + std::to_string(index) + "]");
  }

  [[noreturn]] void fail(const char* key, const std::string& what) const
  {
    throw InternalError(m_file + ": " + path_of(key) + ": " + what);
  }

private:
  const Json* find(const char* key, bool optional = false) const
  {
    const auto found = m_object.find(key);
    if (found == m_object.end()) {
      if (optional) {
        return nullptr;
      }
      fail(key, "missing");
    }
    return &*found;
  }

  std::string path_of(const char* key) const
  {
    return m_where.empty() ? key : m_where + "." + key;
  }

  [[noreturn]] void fail(const std::string& what) const
  {
    throw InternalError(m_file + ": " + (m_where.empty() ? "the report" : m_where) + ": " + what);
  }

  const Json& m_object;
  const std::string& m_file;
  std::string m_where;
};

SummaryCounts counts_from_json(const JsonObjectReader& reader)
{
  SummaryCounts counts;
  for (const auto& [key, field] : k_count_keys) {
    counts.*field = reader.integer(key);
  }
  return counts;
}

ShardTiming shard_from_json(const JsonObjectReader& reader)
{
  ShardTiming shard;
  shard.shard = reader.integer("shard");
  shard.project = reader.string("project");
  for (const auto& [key, field] : k_phase_keys) {
    shard.*field = reader.seconds(key);
  }
  shard.peak_memory_bytes = reader.byte_count("peak_memory_bytes");
  shard.tests_run = reader.integer("tests_run");
  shard.stack_recreations = reader.integer("stack_recreations", true);
  shard.tests_ended = reader.seconds(k_tests_ended_key, true);
  shard.error = reader.string("error", true);
  shard.engine = reader.string("engine", true);
  shard.warm_stack = reader.boolean("warm_stack", true);
  shard.reset = reader.seconds("reset", true);
  shard.warm_worker = reader.boolean("warm_worker", true);
  shard.reset_for_next_run = reader.seconds("reset_for_next_run", true);
  return shard;
}

TestResult test_from_json(const JsonObjectReader& reader)
{
  TestResult test;
  test.id = reader.string("id");
  const std::optional<Outcome> outcome = parse_outcome(reader.string("outcome"));
  if (!outcome) {
    reader.fail("outcome", "expected one of passed, failed, error, skipped, xfailed, xpassed");
  }
  test.outcome = *outcome;
  test.duration = reader.seconds("duration");
  test.shard = reader.integer("shard");
  test.attempts = reader.integer("attempts");
  test.flaky = reader.boolean("flaky");
  test.message = reader.string("message", true);
  return test;
}

}  // namespace

void write_json_report(const std::filesystem::path& file, const RunReport& report)
{
  Json shards = Json::array();
  for (const ShardTiming& shard : report.shards) {
    shards.push_back(shard_to_json(shard));
  }
  Json tests = Json::array();
  for (const TestResult& test : report.tests) {
    tests.push_back(test_to_json(test));
  }
  const Json document{
    {"run_id", report.run_id},
    {"suite", report.suite},
    {"environment", report.environment},
    {"exit_code", to_int(report.exit_code)},
    {"wall_time", to_seconds(report.wall_time)},
    {"time_to_first_test", to_seconds(report.time_to_first_test)},
    {"time_to_first_up", to_seconds(report.time_to_first_up)},
    {"peak_memory_bytes", report.peak_memory_bytes},
    {"orchestrator_cpu_ms", report.orchestrator_cpu.count()},
    {"summary", counts_to_json(report.counts)},
    {"shards", shards},
    {"tests", tests},
  };

  std::error_code error;
  if (file.has_parent_path()) {
    std::filesystem::create_directories(file.parent_path(), error);
  }
  std::ofstream stream(file, std::ios::binary | std::ios::trunc);
  if (stream) {
    // Replace invalid UTF-8 (runner output can carry any bytes) rather than throw mid-write.
    stream << document.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
    stream.close();
  }
  if (!stream) {
    throw InternalError("cannot write JSON report " + file.string() + ": " + std::strerror(errno));
  }
}

RunReport read_json_report(const std::filesystem::path& file)
{
  const std::string name = file.string();
  std::ifstream stream(file, std::ios::binary);
  if (!stream) {
    throw InternalError("cannot read JSON report " + name + ": " + std::strerror(errno));
  }
  Json document;
  try {
    document = Json::parse(stream);
  } catch (const Json::parse_error& error) {
    throw InternalError(name + ": not valid JSON: " + error.what());
  }

  const JsonObjectReader reader(document, name, "");
  RunReport report;
  report.run_id = reader.string("run_id");
  report.suite = reader.string("suite");
  report.environment = reader.string("environment");
  report.exit_code = static_cast<ExitCode>(reader.integer("exit_code"));
  report.wall_time = reader.seconds("wall_time");
  report.time_to_first_test = reader.seconds("time_to_first_test");
  report.time_to_first_up = reader.seconds("time_to_first_up", true);
  report.peak_memory_bytes = reader.byte_count("peak_memory_bytes");
  report.orchestrator_cpu = Milliseconds{reader.integer("orchestrator_cpu_ms", true)};
  report.counts = counts_from_json(reader.object("summary"));
  for (std::size_t i = 0; i < reader.array("shards").size(); ++i) {
    report.shards.push_back(shard_from_json(reader.element("shards", i)));
  }
  for (std::size_t i = 0; i < reader.array("tests").size(); ++i) {
    report.tests.push_back(test_from_json(reader.element("tests", i)));
  }
  return report;
}

}  // namespace orchestrate
