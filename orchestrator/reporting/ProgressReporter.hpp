#pragma once

#include "reporting/LiveDisplay.hpp"
#include "reporting/RedrawThrottle.hpp"
#include "reporting/RunEvents.hpp"
#include "reporting/ShardStatusBoard.hpp"
#include "reporting/Terminal.hpp"
#include "reporting/TestResult.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace orchestrate {

enum class Verbosity { k_quiet, k_normal, k_verbose };

// How progress is shown while tests run (`--progress`).
enum class ProgressStyle {
  k_auto,   // live on a terminal that can move its cursor (unless -q), lines elsewhere
  k_lines,  // pytest-like lines, `test_id PASSED [ 42%]`: what CI logs and pipes get
  k_live,   // a status block per shard redrawn in place at the bottom of the terminal
};

// `requested` made concrete for `out`: k_auto becomes k_live on a terminal with cursor movement
// (TERM set and not "dumb") unless `verbosity` is quiet, else k_lines. Never returns k_auto.
ProgressStyle resolve_progress_style(ProgressStyle requested, std::FILE* out, Verbosity verbosity);

// What users read while a run goes on and at its end, separate from logging (spdlog).
//
// Lines style: one pytest-like line per test with the overall percentage, `[ 42%]`.
// Live style: from start() on, a block at the bottom of the terminal with one line per shard and
// an overall line, redrawn in place at most every 100 ms (and every second for the clock); failed
// tests (every test under -v), shard errors and messages are printed above it and stay in the
// scrollback. failures() or summary() leave the block's final state on screen; after an
// interrupt (SignalState) they remove the block instead, and the closing lines take its place.
// Both then print failure sections and the summary line.
//
// Thread-safe: shard threads report through it, as one sink of the run's events (RunEvents). The
// shard events (shard_opening, batch_started, test_started, shard_tearing_down, shard_closed) only
// feed the live block and never throw; the timing events are not shown.
class ProgressReporter : public RunEvents
{
public:
  // `style` must be k_lines or k_live (see resolve_progress_style).
  ProgressReporter(std::FILE* out, Verbosity verbosity, bool color,
                   ProgressStyle style = ProgressStyle::k_lines);
  // Leaves the live block's last state on screen if failures()/summary() did not.
  ~ProgressReporter() override;

  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  // Headline before tests start: platform-like info pytest users expect.
  void start(const std::string& suite, int collected, int deselected, int shards,
             const std::string& run_dir);
  void shard_opening(int shard) noexcept override;
  // With several engines: the live block names the engine of each shard's stack.
  void stack_placed(int shard, const std::string& engine) noexcept override;
  void shard_ready(int shard, const std::string& project);
  void batch_started(int shard, int tests, const std::string& first_test) noexcept override;
  // A test of the shard's current batch began (live display only).
  void test_started(int shard, const std::string& test_id) noexcept override;
  void shard_tearing_down(int shard) noexcept override;
  // A shard that opened is finished (shard_finished); one that failed to open keeps its failure,
  // which shard_failed() shows next.
  void shard_closed(const ShardTiming& timing) noexcept override;
  void shard_finished(int shard) noexcept;
  void shard_failed(int shard, const std::string& message) override;
  void test_finished(const TestResult& result) override;
  void message(const std::string& text) override;
  // `warning: <text>` on stderr.
  void warning(const std::string& text) override;

  // Failure sections (`____ test_id ____` + details) for failed and errored tests.
  void failures(const std::vector<TestResult>& results);

  // The closing line, e.g. `==== 1 failed, 39 passed in 12.31s ====`.
  void summary(const SummaryCounts& counts, Milliseconds elapsed);

  // An interrupted run's line just before summary(), as pytest prints one:
  // `!!!!!!!! Interrupted: SIGINT; 3 tests not run !!!!!!!!`.
  void interrupted(const std::string& reason);

private:
  using Clock = std::chrono::steady_clock;

  std::string colored(const std::string& text, const char* color_code) const;
  std::string test_line(const TestResult& result) const;
  // Prints `text` (whole lines): above the live block while it is up, else straight out.
  void print_locked(const std::string& text);
  // Applies a shard's change to the live block (kept until start() when it comes earlier).
  void shard_event(const std::function<void(ShardStatusBoard&)>& event) noexcept;
  // Notes a change of the live block and draws it when the throttle allows.
  void changed_locked();
  void draw_locked(Clock::time_point now);
  void write_locked(const std::string& text);
  // Flushes m_out; a reader that went away (EPIPE) interrupts the run (SignalState).
  void flush_locked();
  // Redraws the block while nothing else happens, so its clock moves and throttled changes show.
  void tick();
  // Stops the ticker and leaves the block's final state as ordinary output.
  void finish_live();

  std::mutex m_mutex;
  std::FILE* m_out;
  Verbosity m_verbosity;
  bool m_color;
  ProgressStyle m_style;
  int m_total = 0;
  int m_done = 0;

  // Live style only, between start() and finish_live().
  std::optional<ShardStatusBoard> m_board;
  LiveDisplay m_display;
  RedrawThrottle m_throttle;
  Clock::time_point m_started = Clock::now();
  std::string m_pending_above;  // permanent lines waiting for the next frame
  std::vector<std::function<void(ShardStatusBoard&)>> m_early_events;  // before start()
  bool m_changed = false;
  bool m_stopping = false;
  std::condition_variable m_wake;
  std::thread m_ticker;
};

}  // namespace orchestrate
