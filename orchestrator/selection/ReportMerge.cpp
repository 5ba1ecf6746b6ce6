#include "selection/ReportMerge.hpp"

#include "core/Error.hpp"
#include "reporting/JunitXml.hpp"
#include "reporting/MergeReports.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>

namespace orchestrate {

namespace {

// The earliest of the machines' times; 0 means "not measured" and never wins.
void keep_earliest(Milliseconds& merged, Milliseconds machine)
{
  if (machine.count() > 0 && (merged.count() == 0 || machine < merged)) {
    merged = machine;
  }
}

std::string lowercase(std::string text)
{
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return text;
}

Milliseconds seconds_attribute(const pugi::xml_node& node)
{
  const char* text = node.attribute("time").value();
  double seconds = 0;
  const auto [end, error] = std::from_chars(text, text + std::strlen(text), seconds);
  if (error != std::errc() || !std::isfinite(seconds) || seconds < 0) {
    return Milliseconds{0};
  }
  return Milliseconds{std::llround(seconds * 1000.0)};
}

// The run time a JUnit file states: pytest and ctest put it on <testsuite>, gtest on
// <testsuites> (with per-suite times that ran one after another).
Milliseconds junit_wall_time(const std::filesystem::path& file)
{
  pugi::xml_document document;
  if (!document.load_file(file.c_str())) {
    return Milliseconds{0};
  }
  const pugi::xml_node root = document.document_element();
  if (!root.attribute("time").empty()) {
    return seconds_attribute(root);
  }
  Milliseconds total{0};
  for (const pugi::xml_node& suite : root.children("testsuite")) {
    total += seconds_attribute(suite);
  }
  return total;
}

// Shard numbers 1..count of one input become offset+1..offset+count of the merged report.
int shard_count_of(const RunReport& report)
{
  int count = static_cast<int>(report.shards.size());
  for (const ShardTiming& shard : report.shards) {
    count = std::max(count, shard.shard);
  }
  for (const TestResult& test : report.tests) {
    count = std::max(count, test.shard);
  }
  return count;
}

int renumbered(int shard, int offset)
{
  return shard > 0 ? shard + offset : 0;
}

void join_distinct(std::string& joined, std::set<std::string>& seen, const std::string& value)
{
  if (value.empty() || !seen.insert(value).second) {
    return;
  }
  joined += (joined.empty() ? "" : ",") + value;
}

bool says_run_went_wrong(ExitCode code)
{
  return code != ExitCode::k_all_passed && code != ExitCode::k_tests_failed &&
         code != ExitCode::k_no_tests_collected;
}

}  // namespace

ReportFormat report_format_of(const std::filesystem::path& file)
{
  const std::string extension = lowercase(file.extension().string());
  if (extension == ".xml") {
    return ReportFormat::k_junit_xml;
  }
  if (extension == ".json") {
    return ReportFormat::k_json;
  }
  std::ifstream stream(file, std::ios::binary);
  if (!stream) {
    throw UsageError("cannot read report " + file.string() + ": " + std::strerror(errno));
  }
  char c = 0;
  while (stream.get(c) && std::isspace(static_cast<unsigned char>(c)) != 0) {
  }
  if (stream && c == '<') {
    return ReportFormat::k_junit_xml;
  }
  if (stream && c == '{') {
    return ReportFormat::k_json;
  }
  throw UsageError("cannot tell the format of report " + file.string() +
                   ": expected a .xml (JUnit) or .json (orchestrate report) file");
}

RunReport read_report(const std::filesystem::path& file)
{
  if (report_format_of(file) == ReportFormat::k_json) {
    return read_json_report(file);
  }
  RunReport report;
  report.tests = read_junit_xml(file);
  report.wall_time = junit_wall_time(file);
  return report;
}

RunReport merge_run_reports(std::vector<RunReport> reports)
{
  RunReport merged;
  std::vector<ExitCode> input_codes;
  std::vector<std::vector<TestResult>> tests;
  std::set<std::string> run_ids;
  std::set<std::string> suites;
  std::set<std::string> environments;
  int shard_offset = 0;
  for (RunReport& report : reports) {
    input_codes.push_back(report.exit_code);
    join_distinct(merged.run_id, run_ids, report.run_id);
    join_distinct(merged.suite, suites, report.suite);
    join_distinct(merged.environment, environments, report.environment);
    merged.wall_time = std::max(merged.wall_time, report.wall_time);
    keep_earliest(merged.time_to_first_test, report.time_to_first_test);
    keep_earliest(merged.time_to_first_up, report.time_to_first_up);
    merged.peak_memory_bytes = std::max(merged.peak_memory_bytes, report.peak_memory_bytes);
    merged.counts.deselected += report.counts.deselected;
    merged.counts.not_run += report.counts.not_run;

    const int shard_count = shard_count_of(report);
    for (ShardTiming& shard : report.shards) {
      shard.shard = renumbered(shard.shard, shard_offset);
      merged.shards.push_back(std::move(shard));
    }
    for (TestResult& test : report.tests) {
      test.shard = renumbered(test.shard, shard_offset);
    }
    shard_offset += shard_count;
    tests.push_back(std::move(report.tests));
  }
  merged.tests = merge_results(std::move(tests));

  const SummaryCounts summed = merged.counts;
  merged.counts = count_outcomes(merged.tests);
  merged.counts.deselected = summed.deselected;
  merged.counts.not_run = summed.not_run;
  merged.exit_code = merged_exit_code(input_codes, merged);
  return merged;
}

ExitCode merged_exit_code(const std::vector<ExitCode>& input_codes, const RunReport& merged)
{
  const auto wrong = std::find_if(input_codes.begin(), input_codes.end(), says_run_went_wrong);
  if (wrong != input_codes.end()) {
    return *wrong;
  }
  const bool shard_failed = std::any_of(merged.shards.begin(), merged.shards.end(),
                                        [](const ShardTiming& shard) {
                                          return !shard.error.empty();
                                        });
  if (merged.counts.failed > 0 || merged.counts.errors > 0 || shard_failed ||
      merged.counts.not_run > 0) {
    return ExitCode::k_tests_failed;
  }
  if (merged.tests.empty()) {
    return ExitCode::k_no_tests_collected;
  }
  return ExitCode::k_all_passed;
}

RunReport merge_report_files(const std::vector<std::filesystem::path>& files)
{
  if (files.empty()) {
    throw UsageError("merge: no reports given (expected JUnit .xml or orchestrate .json files)");
  }
  std::set<std::filesystem::path> seen;
  std::vector<RunReport> reports;
  for (const std::filesystem::path& file : files) {
    std::error_code error;
    const std::filesystem::path canonical = std::filesystem::weakly_canonical(file, error);
    if (!seen.insert(error ? file : canonical).second) {
      throw UsageError("merge: " + file.string() +
                       " is given twice (its tests would count as reruns)");
    }
    if (!std::filesystem::exists(file, error)) {
      throw UsageError("merge: no such report: " + file.string());
    }
    reports.push_back(read_report(file));
  }
  return merge_run_reports(std::move(reports));
}

}  // namespace orchestrate
