#include "reporting/StatusLines.hpp"

#include <algorithm>
#include <cstdio>

namespace orchestrate {

namespace {

constexpr const char* k_ellipsis = "...";
constexpr int k_ellipsis_width = 3;

bool is_continuation_byte(char c)
{
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

int display_width(const std::string& text)
{
  return static_cast<int>(std::count_if(text.begin(), text.end(),
                                        [](char c) { return !is_continuation_byte(c); }));
}

// The byte offset where the code point number `width` starts (text.size() when shorter).
std::size_t byte_offset_of(const std::string& text, int width)
{
  int seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_continuation_byte(text[i])) {
      if (seen == width) {
        return i;
      }
      ++seen;
    }
  }
  return text.size();
}

// "18 passed, 1 failed": the parts that are not zero, "no tests yet" when all are.
std::string shard_counts(const ProgressCounts& counts)
{
  std::string text;
  const auto add = [&](int count, const char* what) {
    if (count > 0) {
      text += (text.empty() ? "" : ", ") + std::to_string(count) + " " + what;
    }
  };
  add(counts.passed, "passed");
  add(counts.failed, "failed");
  add(counts.skipped, "skipped");
  return text.empty() ? "no tests yet" : text;
}

std::string shard_activity(const ShardStatus& status)
{
  switch (status.state) {
  case ShardState::k_waiting:
    return "waiting";
  case ShardState::k_starting:
    return "starting stack...";
  case ShardState::k_running: {
    std::string text = "running";
    if (status.batches > 0) {
      text += " batch " + std::to_string(status.batches) + " (";
      if (status.started_in_batch > 0) {
        text += std::to_string(status.started_in_batch) + "/";
      }
      text += std::to_string(status.batch_size) + (status.batch_size == 1 ? " test)" : " tests)");
    }
    if (status.counts.done() > 0) {
      text += " | " + shard_counts(status.counts);
    }
    // Last, so that a narrow terminal cuts the test id rather than the counts.
    if (!status.current_test.empty()) {
      text += " | " + status.current_test;
    } else if (!status.first_test.empty()) {
      text += " | " + status.first_test + (status.batch_size > 1 ? " ..." : "");
    }
    return text;
  }
  case ShardState::k_tearing_down:
    return "tearing down | " + shard_counts(status.counts);
  case ShardState::k_done:
    return "done: " + shard_counts(status.counts);
  case ShardState::k_failed:
    return "error: " + status.error;
  }
  return "";
}

LineTone shard_tone(const ShardStatus& status)
{
  if (status.state == ShardState::k_failed || status.counts.failed > 0) {
    return LineTone::k_bad;
  }
  return status.state == ShardState::k_done ? LineTone::k_good : LineTone::k_plain;
}

// Busy shards are the news; waiting and finished ones are the first left out when space is short.
int display_priority(ShardState state)
{
  switch (state) {
  case ShardState::k_waiting:
    return 1;
  case ShardState::k_done:
    return 2;
  default:
    return 0;
  }
}

// The indices of the shards to show, in shard order: all of them when they fit in `room` lines,
// else `room - 1` of them (the last line then counts the rest).
std::vector<std::size_t> shards_to_show(const std::vector<ShardStatus>& shards, int room)
{
  std::vector<std::size_t> indices(shards.size());
  for (std::size_t i = 0; i < indices.size(); ++i) {
    indices[i] = i;
  }
  if (static_cast<int>(shards.size()) <= room) {
    return indices;
  }
  std::stable_sort(indices.begin(), indices.end(), [&](std::size_t a, std::size_t b) {
    return display_priority(shards[a].state) < display_priority(shards[b].state);
  });
  indices.resize(static_cast<std::size_t>(std::max(room - 1, 0)));
  std::sort(indices.begin(), indices.end());
  return indices;
}

std::string hidden_shards_line(const std::vector<ShardStatus>& shards,
                               const std::vector<std::size_t>& shown)
{
  int waiting = 0;
  int done = 0;
  int busy = 0;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    if (std::find(shown.begin(), shown.end(), i) != shown.end()) {
      continue;
    }
    const auto state = shards[i].state;
    ++(state == ShardState::k_waiting ? waiting : state == ShardState::k_done ? done : busy);
  }
  return "... " + std::to_string(waiting + done + busy) + " more shards (" +
         std::to_string(busy) + " busy, " + std::to_string(waiting) + " waiting, " +
         std::to_string(done) + " done)";
}

std::string overall_text(const ShardStatusBoard& board, Milliseconds elapsed)
{
  const auto& counts = board.overall();
  char percent[8];
  std::snprintf(percent, sizeof percent, "[%3d%%]", board.percent());
  return std::string(percent) + " " + std::to_string(counts.done()) + " of " +
         std::to_string(board.total_tests()) + " tests: " + std::to_string(counts.passed) +
         " passed, " + std::to_string(counts.failed) + " failed, " +
         std::to_string(counts.skipped) + " skipped in " + format_seconds(elapsed);
}

// The widest engine name of `shards`; 0 when no stack was placed on a named engine (one engine).
std::size_t engine_width(const std::vector<ShardStatus>& shards)
{
  std::size_t width = 0;
  for (const auto& status : shards) {
    width = std::max(width, status.engine.size());
  }
  return width;
}

// " on tls   " padded to `width`, or the same width of blanks for a shard not placed yet; "" when
// the run shows no engines.
std::string engine_column(const ShardStatus& status, std::size_t width)
{
  if (width == 0) {
    return "";
  }
  std::string column = status.engine.empty() ? "   " : " on";
  column += " " + status.engine;
  column.append(width - status.engine.size(), ' ');
  return column;
}

LineTone overall_tone(const ShardStatusBoard& board)
{
  if (board.overall().failed > 0) {
    return LineTone::k_bad;
  }
  return board.overall().done() >= board.total_tests() ? LineTone::k_good : LineTone::k_plain;
}

}  // namespace

std::string truncate_to_width(const std::string& text, int width)
{
  if (display_width(text) <= width) {
    return text;
  }
  if (width <= k_ellipsis_width) {
    return text.substr(0, byte_offset_of(text, std::max(width, 0)));
  }
  return text.substr(0, byte_offset_of(text, width - k_ellipsis_width)) + k_ellipsis;
}

std::vector<StatusLine> render_status_lines(const ShardStatusBoard& board, Milliseconds elapsed,
                                            TerminalSize size)
{
  const int width = std::max(size.columns - 1, 1);
  const auto& shards = board.shards();
  // Shard numbers padded to the widest, so that the activities line up.
  const int number_width = static_cast<int>(std::to_string(shards.size()).size());
  // One row for the overall line and one for the cursor below the display.
  const auto shown = shards_to_show(shards, std::max(size.rows - 2, 1));
  const auto engines = engine_width(shards);

  std::vector<StatusLine> lines;
  for (const auto index : shown) {
    const auto& status = shards[index];
    auto number = std::to_string(index + 1);
    number.insert(0, static_cast<std::size_t>(number_width) - number.size(), ' ');
    lines.push_back(
      {truncate_to_width("shard " + number + engine_column(status, engines) + "  " +
                           shard_activity(status),
                         width),
       shard_tone(status)});
  }
  if (shown.size() < shards.size()) {
    lines.push_back({truncate_to_width(hidden_shards_line(shards, shown), width),
                     LineTone::k_plain});
  }
  lines.push_back({truncate_to_width(overall_text(board, elapsed), width), overall_tone(board)});
  return lines;
}

}  // namespace orchestrate
