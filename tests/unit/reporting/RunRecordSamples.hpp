#pragma once

// A fabricated two-shard run with a timeline, for the tests of the trace, the HTML report and the
// run folder's files.

#include "reporting/RunRecord.hpp"

namespace orchestrate::testing {

inline TimelineSpan sample_span(int shard, SpanKind kind, std::string name, long long start_ms,
                                long long duration_ms, std::string outcome = {})
{
  TimelineSpan span;
  span.shard = shard;
  span.kind = kind;
  span.name = std::move(name);
  span.start = Milliseconds(start_ms);
  span.duration = Milliseconds(duration_ms);
  span.outcome = std::move(outcome);
  return span;
}

inline TestResult sample_result(std::string id, Outcome outcome, int shard, long long duration_ms)
{
  TestResult result;
  result.id = std::move(id);
  result.outcome = outcome;
  result.shard = shard;
  result.duration = Milliseconds(duration_ms);
  return result;
}

inline RunRecord sample_run_record()
{
  RunRecord record;
  RunReport& report = record.report;
  report.run_id = "20261201-210000-ab12";
  report.suite = "integration";
  report.environment = "test";
  report.exit_code = ExitCode::k_tests_failed;
  report.wall_time = Milliseconds(5'000);
  report.time_to_first_up = Milliseconds(120);
  report.time_to_first_test = Milliseconds(1'500);
  report.counts.passed = 2;
  report.counts.failed = 1;
  report.counts.flaky = 1;
  for (int shard = 1; shard <= 2; ++shard) {
    ShardTiming timing;
    timing.shard = shard;
    timing.project = "app-test-ab12-s" + std::to_string(shard);
    timing.stack_up = Milliseconds(900);
    timing.ready = Milliseconds(1'300);
    timing.tests = Milliseconds(2'000);
    timing.teardown = Milliseconds(700);
    timing.peak_memory_bytes = static_cast<std::uint64_t>(shard) * (96ull << 20);
    timing.tests_run = shard == 1 ? 2 : 1;
    report.shards.push_back(timing);
  }
  report.tests.push_back(sample_result("tests/test_a.py::test_ok", Outcome::k_passed, 1, 300));
  report.tests.push_back(
    sample_result("tests/test_a.py::test_<script>alert(1)</script>", Outcome::k_failed, 1, 800));
  report.tests.back().message = "assert 1 == 2 & \"quoted\"";
  report.tests.push_back(sample_result("tests/test_b.py::test_retried", Outcome::k_passed, 2, 450));
  report.tests.back().flaky = true;
  report.tests.back().attempts = 2;

  auto& spans = record.timeline.spans;
  for (int shard = 1; shard <= 2; ++shard) {
    spans.push_back(sample_span(shard, SpanKind::k_stack_up, "stack up", 120, 900));
    spans.push_back(sample_span(shard, SpanKind::k_ready, "ready", 1'020, 400));
    spans.push_back(sample_span(shard, SpanKind::k_batch, "batch", 1'500, 2'000));
    spans.push_back(sample_span(shard, SpanKind::k_teardown, "teardown", 3'600, 700));
  }
  spans.push_back(
    sample_span(1, SpanKind::k_test, "tests/test_a.py::test_ok", 1'600, 300, "passed"));
  spans.push_back(sample_span(1, SpanKind::k_test,
                              "tests/test_a.py::test_<script>alert(1)</script>", 2'000, 800,
                              "failed"));
  spans.push_back(
    sample_span(2, SpanKind::k_test, "tests/test_b.py::test_retried", 1'600, 400, "failed"));
  spans.push_back(
    sample_span(2, SpanKind::k_test, "tests/test_b.py::test_retried", 2'100, 450, "passed"));
  spans.back().attempt = 2;
  record.timeline.memory.push_back({Milliseconds(1'000), {{1, 50ull << 20}, {2, 60ull << 20}}});
  record.timeline.memory.push_back({Milliseconds(1'250), {{1, 90ull << 20}, {2, 190ull << 20}}});
  record.timeline.output["tests/test_a.py::test_<script>alert(1)</script>"] =
    "def test():\n>   assert 1 == 2\nE   assert 1 == 2 </pre><b>not bold</b>\x1b[31m";
  return record;
}

}  // namespace orchestrate::testing
