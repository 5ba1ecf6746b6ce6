#include "reporting/RunTimeline.hpp"

#include <algorithm>

namespace orchestrate {

std::string_view span_kind_name(SpanKind kind)
{
  switch (kind) {
    case SpanKind::k_stack_up:
      return "stack up";
    case SpanKind::k_ready:
      return "ready";
    case SpanKind::k_batch:
      return "batch";
    case SpanKind::k_test:
      return "test";
    case SpanKind::k_teardown:
      return "teardown";
  }
  return "phase";
}

namespace {

TimelineSpan make_span(int shard, SpanKind kind, std::string name, Milliseconds start,
                       Milliseconds duration)
{
  TimelineSpan span;
  span.shard = shard;
  span.kind = kind;
  span.name = std::move(name);
  span.start = start;
  span.duration = std::max(duration, Milliseconds(0));
  return span;
}

}  // namespace

RunTimelineRecorder::RunTimelineRecorder(Clock::time_point started) : m_started(started)
{
}

void RunTimelineRecorder::set_origin(Clock::time_point started)
{
  std::lock_guard lock(m_mutex);
  m_started = started;
}

Milliseconds RunTimelineRecorder::now() const
{
  return std::chrono::duration_cast<Milliseconds>(Clock::now() - m_started);
}

void RunTimelineRecorder::phase_ended(int shard, SpanKind kind, Clock::time_point began)
{
  const auto start = std::chrono::duration_cast<Milliseconds>(began - m_started);
  const auto end = now();
  std::lock_guard lock(m_mutex);
  m_timeline.spans.push_back(
    make_span(shard, kind, std::string(span_kind_name(kind)), start, end - start));
}

void RunTimelineRecorder::phase_ended_after(int shard, SpanKind kind, Milliseconds duration)
{
  const auto end = now();
  std::lock_guard lock(m_mutex);
  m_timeline.spans.push_back(make_span(shard, kind, std::string(span_kind_name(kind)),
                                       std::max(end - duration, Milliseconds(0)), duration));
}

void RunTimelineRecorder::test_started(int shard, const std::string& test_id)
{
  const auto start = now();
  std::lock_guard lock(m_mutex);
  m_running[{shard, test_id}] = start;
}

void RunTimelineRecorder::test_finished(int shard, const std::string& test_id, bool failed)
{
  const auto end = now();
  std::lock_guard lock(m_mutex);
  const auto key = std::make_pair(shard, test_id);
  const auto running = m_running.find(key);
  if (running == m_running.end()) {
    return;  // placed by its result, which knows its duration
  }
  int attempt = 1;
  if (const auto last = m_last_span.find(key); last != m_last_span.end()) {
    attempt = m_timeline.spans[last->second].attempt + 1;
  }
  TimelineSpan span =
    make_span(shard, SpanKind::k_test, test_id, running->second, end - running->second);
  // Until the result says more precisely (skipped, xfailed, ...).
  span.outcome = failed ? "failed" : "passed";
  span.attempt = attempt;
  m_running.erase(running);
  m_last_span[key] = m_timeline.spans.size();
  m_timeline.spans.push_back(std::move(span));
}

void RunTimelineRecorder::result(const TestResult& result)
{
  const auto end = now();
  std::lock_guard lock(m_mutex);
  const auto key = std::make_pair(result.shard, result.id);
  if (result.outcome != Outcome::k_passed || result.flaky) {
    m_timeline.output[result.id] = result.details.empty() ? result.message : result.details;
  }
  m_running.erase(key);  // a test cut short (crash, timeout) never reported its end
  const auto last = m_last_span.find(key);
  if (last != m_last_span.end()) {
    m_timeline.spans[last->second].outcome = std::string(outcome_name(result.outcome));
    return;
  }
  TimelineSpan span = make_span(result.shard, SpanKind::k_test, result.id,
                                std::max(end - result.duration, Milliseconds(0)), result.duration);
  span.outcome = std::string(outcome_name(result.outcome));
  span.attempt = result.attempts;
  m_last_span[key] = m_timeline.spans.size();
  m_timeline.spans.push_back(std::move(span));
}

void RunTimelineRecorder::memory_sampled(const std::map<int, std::uint64_t>& bytes_by_shard)
{
  const auto at = now();
  std::lock_guard lock(m_mutex);
  m_timeline.memory.push_back({at, bytes_by_shard});
}

Timeline RunTimelineRecorder::timeline() const
{
  std::lock_guard lock(m_mutex);
  return m_timeline;
}

}  // namespace orchestrate
