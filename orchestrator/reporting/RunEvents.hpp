#pragma once

#include "core/Quantities.hpp"
#include "reporting/JsonReport.hpp"
#include "reporting/TestResult.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace orchestrate {

// The one sink for what happens while a run's shards work (as ninja's build loop reports to its
// `Status`): the scheduler and the shard sessions call only this. Its implementations are the
// progress reporter (what users read), the run recorder (timeline, shard timings and first-test
// times: what the JSON report, JUnit and the run record are made of) and RunEventsFanOut, which
// hands each event to several of them.
//
// Every method may be called from any shard thread at any time, also before the tests are known
// (shard 1 opens during collection): implementations are thread-safe. Each does nothing by
// default, so a sink overrides only what it shows, and a plain RunEvents is a sink that ignores
// everything. The events a shard's destructor or noexcept code sends are noexcept.
class RunEvents
{
public:
  using Clock = std::chrono::steady_clock;

  virtual ~RunEvents() = default;

  // `shard` (1-based) got its admission and starts opening: its stack comes up next.
  virtual void shard_opening(int /*shard*/) noexcept
  {
  }
  // With several engines (docs/scale-out.md), the shard's stack was just placed on `engine` (its
  // name); a single-engine run never says this.
  virtual void stack_placed(int /*shard*/, const std::string& /*engine*/) noexcept
  {
  }
  // The shard's `compose up` starts now (the first one of the run ends the start-up overhead).
  virtual void stack_starting(int /*shard*/)
  {
  }
  // The shard's `compose up` that began at `began` has ended: its containers exist.
  virtual void stack_up(int /*shard*/, Clock::time_point /*began*/)
  {
  }
  // The shard's readiness gate, begun at `began`, passed: its fixtures answer.
  virtual void stack_ready(int /*shard*/, Clock::time_point /*began*/)
  {
  }
  // The shard starts a batch of `tests` tests, the first being `first_test`.
  virtual void batch_started(int /*shard*/, int /*tests*/,
                             const std::string& /*first_test*/) noexcept
  {
  }
  // A test of the shard began / ended, as the runner reports it live. The final result comes
  // later, through test_finished().
  virtual void test_started(int /*shard*/, const std::string& /*test_id*/) noexcept
  {
  }
  virtual void test_ended(int /*shard*/, const std::string& /*test_id*/, bool /*failed*/)
  {
  }
  // The shard's batch that began at `began` has ended.
  virtual void batch_ended(int /*shard*/, Clock::time_point /*began*/)
  {
  }
  // A test's final result (after its reruns), in the order the scheduler records them.
  virtual void test_finished(const TestResult& /*result*/)
  {
  }
  // The shard cannot serve tests (its stack never came up, or could not be recreated): `message`
  // says why. A shard that failed to open is closed (shard_closed, timing.error set) before this.
  virtual void shard_failed(int /*shard*/, const std::string& /*message*/)
  {
  }
  // The shard's stack is being torn down now.
  virtual void shard_tearing_down(int /*shard*/) noexcept
  {
  }
  // A teardown of the shard's stack took `duration` and has just ended.
  virtual void teardown_ended(int /*shard*/, Milliseconds /*duration*/) noexcept
  {
  }
  // The shard is closed, with what its phases took; timing.error is set when it failed to open.
  virtual void shard_closed(const ShardTiming& /*timing*/) noexcept
  {
  }
  // One sample of the memory the shards' containers use (from the resource monitor).
  virtual void memory_sampled(const std::map<int, std::uint64_t>& /*bytes_by_shard*/)
  {
  }
  // A line for the user about the run (a stack recreated, a stale resource removed, ...).
  virtual void message(const std::string& /*text*/)
  {
  }
  // Something the user should know although the run goes on (a late preflight check, ...).
  virtual void warning(const std::string& /*text*/)
  {
  }
};

}  // namespace orchestrate
