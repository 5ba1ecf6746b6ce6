#include "reporting/Summary.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace orchestrate {

namespace {

// pytest's format_session_duration: "12.31s", and from a minute on "75.20s (0:01:15)", the
// parenthesis being Python's str(timedelta) of the whole seconds.
std::string format_session_duration(Milliseconds elapsed)
{
  const double seconds = static_cast<double>(elapsed.count()) / 1000.0;
  char buffer[96];
  if (seconds < 60) {
    std::snprintf(buffer, sizeof buffer, "%.2fs", seconds);
    return buffer;
  }
  const long long whole = elapsed.count() / 1000;
  const long long days = whole / 86'400;
  const long long rest = whole % 86'400;
  char clock[64];
  std::snprintf(clock, sizeof clock, "%lld:%02lld:%02lld", rest / 3600, rest / 60 % 60, rest % 60);
  if (days > 0) {
    std::snprintf(buffer, sizeof buffer, "%.2fs (%lld day%s, %s)", seconds, days,
                  days == 1 ? "" : "s", clock);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.2fs (%s)", seconds, clock);
  }
  return buffer;
}

// pytest pluralizes only "error" (and "warning"); "failed", "passed" and friends never change.
std::string count_part(int count, const std::string& singular, const std::string& plural)
{
  return std::to_string(count) + " " + (count == 1 ? singular : plural);
}

}  // namespace

std::string format_summary(const SummaryCounts& counts, Milliseconds elapsed)
{
  // pytest 7's KNOWN_TYPES order (terminal.py), then what only orchestrate knows.
  const std::vector<std::pair<int, std::string>> parts{
    {counts.failed, count_part(counts.failed, "failed", "failed")},
    {counts.passed, count_part(counts.passed, "passed", "passed")},
    {counts.skipped, count_part(counts.skipped, "skipped", "skipped")},
    {counts.deselected, count_part(counts.deselected, "deselected", "deselected")},
    {counts.xfailed, count_part(counts.xfailed, "xfailed", "xfailed")},
    {counts.xpassed, count_part(counts.xpassed, "xpassed", "xpassed")},
    {counts.errors, count_part(counts.errors, "error", "errors")},
    {counts.flaky, count_part(counts.flaky, "flaky", "flaky")},
    {counts.reruns, count_part(counts.reruns, "rerun", "reruns")},
    {counts.not_run, count_part(counts.not_run, "not run", "not run")},
  };
  std::string text;
  for (const auto& [count, part] : parts) {
    if (count == 0) {
      continue;
    }
    if (!text.empty()) {
      text += ", ";
    }
    text += part;
  }
  if (text.empty()) {
    text = "no tests ran";
  }
  return text + " in " + format_session_duration(elapsed);
}

namespace {

// pytest's TerminalWriter.sep: the widest fill that keeps the line within `width` (at least one
// fill character each side), plus one more on the right when the width is odd.
std::string centred(const std::string& text, char fill_char, int width)
{
  const int text_width = static_cast<int>(text.size());
  const int fill_width = std::max((width - text_width - 2) / 2, 1);
  const std::string fill(static_cast<std::size_t>(fill_width), fill_char);
  std::string line = fill + " " + text + " " + fill;
  if (static_cast<int>(line.size()) + 1 <= width) {
    line += fill_char;
  }
  return line;
}

}  // namespace

std::string format_summary_line(const SummaryCounts& counts, Milliseconds elapsed, int width)
{
  return centred(format_summary(counts, elapsed), '=', width);
}

std::string format_separator_line(const std::string& text, int width)
{
  return centred(text, '=', width);
}

std::string format_interrupted_line(const std::string& reason, int width)
{
  return centred("Interrupted: " + reason, '!', width);
}

}  // namespace orchestrate
