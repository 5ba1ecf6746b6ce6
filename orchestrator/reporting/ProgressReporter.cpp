#include "reporting/ProgressReporter.hpp"

#include "core/CatchAll.hpp"
#include "process/SignalState.hpp"
#include "reporting/Summary.hpp"

#include <cerrno>

#include <cctype>
#include <functional>

namespace orchestrate {

namespace {

// Changes are drawn at most 10 times a second; without changes the clock moves once a second.
constexpr Milliseconds k_min_redraw_interval(100);
constexpr Milliseconds k_refresh_interval(1000);

const char* outcome_color(Outcome outcome)
{
  switch (outcome) {
  case Outcome::k_passed:
  case Outcome::k_xfailed:
    return k_green;
  case Outcome::k_failed:
  case Outcome::k_error:
    return k_red;
  case Outcome::k_skipped:
  case Outcome::k_xpassed:
    return k_yellow;
  }
  return k_yellow;
}

std::string outcome_label(const TestResult& result)
{
  if (result.flaky) {
    return "FLAKY";
  }
  std::string label(outcome_name(result.outcome));
  for (auto& c : label) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return label;
}

bool is_failure(Outcome outcome)
{
  return outcome == Outcome::k_failed || outcome == Outcome::k_error;
}

}  // namespace

ProgressStyle resolve_progress_style(ProgressStyle requested, std::FILE* out, Verbosity verbosity)
{
  if (requested != ProgressStyle::k_auto) {
    return requested;
  }
  // -q asks for today's terse output; a terminal that cannot move its cursor would print every
  // frame one below the other.
  if (verbosity == Verbosity::k_quiet || !supports_cursor_movement(out)) {
    return ProgressStyle::k_lines;
  }
  return ProgressStyle::k_live;
}

ProgressReporter::ProgressReporter(std::FILE* out, Verbosity verbosity, bool color,
                                   ProgressStyle style)
  : m_out(out),
    m_verbosity(verbosity),
    m_color(color),
    m_style(style == ProgressStyle::k_live ? ProgressStyle::k_live : ProgressStyle::k_lines),
    m_display(color),
    m_throttle(k_min_redraw_interval, k_refresh_interval)
{
}

ProgressReporter::~ProgressReporter()
{
  finish_live();
}

std::string ProgressReporter::colored(const std::string& text, const char* color_code) const
{
  return paint(text, color_code, m_color);
}

std::string ProgressReporter::test_line(const TestResult& result) const
{
  const int percent = m_total > 0 ? (m_done * 100) / m_total : 100;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, " [%3d%%]\n", percent);
  return result.id + " " + colored(outcome_label(result), outcome_color(result.outcome)) + suffix;
}

void ProgressReporter::write_locked(const std::string& text)
{
  std::fputs(text.c_str(), m_out);
  flush_locked();
}

void ProgressReporter::flush_locked()
{
  // Nobody reads our output any more (`orchestrate ... | head`): that is an interrupt, with the
  // full teardown, not a reason to die of SIGPIPE with the stacks up (SIGPIPE is ignored).
  if (std::fflush(m_out) != 0 && errno == EPIPE) {
    interrupt_for_lost_output();
  }
}

void ProgressReporter::print_locked(const std::string& text)
{
  if (!m_board) {
    write_locked(text);
    return;
  }
  // Drawn with the next frame: a burst of failures costs one redraw, not one each.
  m_pending_above += text;
  changed_locked();
}

void ProgressReporter::changed_locked()
{
  m_changed = true;
  const auto now = Clock::now();
  if (m_throttle.should_draw(now, true)) {
    draw_locked(now);
  }
}

void ProgressReporter::draw_locked(Clock::time_point now)
{
  const auto lines = render_status_lines(
    *m_board, std::chrono::duration_cast<Milliseconds>(now - m_started),
    query_terminal_size(m_out));
  if (m_pending_above.empty()) {
    write_locked(m_display.redraw(lines));
  } else {
    write_locked(m_display.print_above(m_pending_above, lines));
    m_pending_above.clear();
  }
  m_throttle.drew(now);
  m_changed = false;
}

void ProgressReporter::tick()
{
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    m_wake.wait_for(lock, k_min_redraw_interval);
    if (m_stopping || !m_board) {
      break;
    }
    const auto now = Clock::now();
    if (m_throttle.should_draw(now, m_changed)) {
      // Only the display would miss a redraw; an exception must not leave this thread.
      run_catching_all("live display redraw", [&] { draw_locked(now); });
    }
  }
}

void ProgressReporter::finish_live()
{
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  if (m_ticker.joinable()) {
    m_ticker.join();
  }
  std::lock_guard lock(m_mutex);
  if (!m_board) {
    return;
  }
  const auto lines =
    render_status_lines(*m_board, std::chrono::duration_cast<Milliseconds>(Clock::now() - m_started),
                        query_terminal_size(m_out));
  // Both calls move the display's idea of the cursor: they must run in this order.
  std::string text;
  if (!m_pending_above.empty()) {
    text = m_display.print_above(m_pending_above, {});
    m_pending_above.clear();
  }
  // After Ctrl-C the block's last state (shards tearing down, a `^C` the terminal echoed below
  // it) is noise: the closing lines take its place. Otherwise it stays as the run's final state.
  text += interrupt_count() > 0 ? m_display.erase() : m_display.finish(lines);
  write_locked(text);
  m_board.reset();
}

void ProgressReporter::start(const std::string& suite, int collected, int deselected, int shards,
                             const std::string& run_dir)
{
  std::lock_guard lock(m_mutex);
  m_total = collected - deselected;
  if (m_verbosity != Verbosity::k_quiet) {
    std::string header = " test session starts (orchestrate) ";
    std::string line(80, '=');
    line.replace((80 - header.size()) / 2, header.size(), header);
    std::fprintf(m_out, "%s\n", line.c_str());
    std::fprintf(m_out, "suite: %s, collected %d item%s", suite.c_str(), collected,
                 collected == 1 ? "" : "s");
    if (deselected > 0) {
      std::fprintf(m_out, " / %d deselected / %d selected", deselected, collected - deselected);
    }
    std::fprintf(m_out, ", %d shard%s\nrun directory: %s\n\n", shards, shards == 1 ? "" : "s",
                 run_dir.c_str());
    flush_locked();
  }
  if (m_style == ProgressStyle::k_live && !m_board && !m_stopping) {
    m_board.emplace(shards, m_total);
    for (const auto& event : m_early_events) {
      event(*m_board);
    }
    m_early_events.clear();
    draw_locked(Clock::now());
    m_ticker = std::thread([this] { tick(); });
  }
}

void ProgressReporter::shard_event(const std::function<void(ShardStatusBoard&)>& event) noexcept
{
  try {
    std::lock_guard lock(m_mutex);
    if (m_board) {
      event(*m_board);
      changed_locked();
    } else if (m_style == ProgressStyle::k_live && !m_stopping) {
      // A shard may start opening while the tests are still being collected.
      m_early_events.push_back(event);
    }
  } catch (...) {
    // Only the display would miss this event; a shard (or a destructor) must not fail over it.
  }
}

void ProgressReporter::shard_opening(int shard) noexcept
{
  shard_event([shard](ShardStatusBoard& board) { board.starting(shard); });
}

void ProgressReporter::stack_placed(int shard, const std::string& engine) noexcept
{
  try {
    // A copy of the name: the event may be kept until start().
    shard_event([shard, engine](ShardStatusBoard& board) { board.placed(shard, engine); });
  } catch (...) {
    // Copying the name failed: only the display misses it.
  }
}

void ProgressReporter::shard_ready(int shard, const std::string& project)
{
  std::lock_guard lock(m_mutex);
  if (m_verbosity == Verbosity::k_verbose) {
    print_locked("[shard " + std::to_string(shard) + "] stack " + project + " ready\n");
  }
}

void ProgressReporter::batch_started(int shard, int tests, const std::string& first_test) noexcept
{
  try {
    // A copy of the id: the event may be kept until start().
    shard_event([shard, tests, first_test](ShardStatusBoard& board) {
      board.batch_started(shard, tests, first_test);
    });
  } catch (...) {
    // Copying the id failed: only the display misses this batch.
  }
}

void ProgressReporter::test_started(int shard, const std::string& test_id) noexcept
{
  try {
    shard_event([shard, test_id](ShardStatusBoard& board) { board.test_started(shard, test_id); });
  } catch (...) {
    // Copying the id failed: only the display misses this test.
  }
}

void ProgressReporter::shard_tearing_down(int shard) noexcept
{
  shard_event([shard](ShardStatusBoard& board) { board.tearing_down(shard); });
}

void ProgressReporter::shard_finished(int shard) noexcept
{
  shard_event([shard](ShardStatusBoard& board) { board.finished(shard); });
}

void ProgressReporter::shard_closed(const ShardTiming& timing) noexcept
{
  if (timing.error.empty()) {
    shard_finished(timing.shard);
  }
}

void ProgressReporter::shard_failed(int shard, const std::string& message)
{
  std::lock_guard lock(m_mutex);
  if (m_board) {
    m_board->failed(shard, message);
  }
  print_locked(colored("[shard " + std::to_string(shard) + "] ERROR", k_red) + "\n" + message +
               "\n");
}

void ProgressReporter::test_finished(const TestResult& result)
{
  std::lock_guard lock(m_mutex);
  ++m_done;
  if (m_board) {
    m_board->test_finished(result);
    // The block counts passes; failures (every test under -v) also get a line that stays.
    const bool keep_line = m_verbosity == Verbosity::k_verbose ||
                           (m_verbosity == Verbosity::k_normal && is_failure(result.outcome));
    if (keep_line) {
      print_locked(test_line(result));
    } else {
      changed_locked();
    }
    return;
  }
  if (m_verbosity == Verbosity::k_quiet) {
    return;
  }
  write_locked(test_line(result));
}

void ProgressReporter::message(const std::string& text)
{
  std::lock_guard lock(m_mutex);
  print_locked(text + "\n");
}

void ProgressReporter::warning(const std::string& text)
{
  std::lock_guard lock(m_mutex);
  std::fprintf(stderr, "warning: %s\n", text.c_str());
}

void ProgressReporter::failures(const std::vector<TestResult>& results)
{
  finish_live();
  std::lock_guard lock(m_mutex);
  bool header_printed = false;
  for (const auto& result : results) {
    if (!is_failure(result.outcome)) {
      continue;
    }
    if (!header_printed) {
      std::string line(80, '=');
      const std::string title = " FAILURES ";
      line.replace((80 - title.size()) / 2, title.size(), title);
      std::fprintf(m_out, "\n%s\n", line.c_str());
      header_printed = true;
    }
    std::string title = " " + result.id + " ";
    std::string line(std::max<std::size_t>(80, title.size() + 4), '_');
    line.replace((line.size() - title.size()) / 2, title.size(), title);
    std::fprintf(m_out, "%s\n", colored(line, k_red).c_str());
    if (result.shard > 0) {
      std::fprintf(m_out, "(shard %d)\n", result.shard);
    }
    if (!result.details.empty()) {
      std::fprintf(m_out, "%s\n", result.details.c_str());
    } else if (!result.message.empty()) {
      std::fprintf(m_out, "%s\n", result.message.c_str());
    }
  }
  flush_locked();
}

void ProgressReporter::summary(const SummaryCounts& counts, Milliseconds elapsed)
{
  finish_live();
  std::lock_guard lock(m_mutex);
  const bool bad = counts.failed > 0 || counts.errors > 0;
  const auto line = format_summary_line(counts, elapsed);
  std::fprintf(m_out, "%s\n", colored(line, bad ? k_red : k_green).c_str());
  flush_locked();
}

void ProgressReporter::interrupted(const std::string& reason)
{
  finish_live();
  std::lock_guard lock(m_mutex);
  std::fprintf(m_out, "%s\n", colored(format_interrupted_line(reason), k_red).c_str());
  flush_locked();
}

}  // namespace orchestrate
