#pragma once

#include "reporting/TestResult.hpp"

#include <string>

namespace orchestrate {

// pytest's closing summary text, without the `=` padding: "1 failed, 37 passed, 2 skipped in
// 12.31s". Parts in pytest's order (failed, passed, skipped, deselected, xfailed, xpassed, error(s))
// followed by flaky, rerun(s) and "not run"; zero counts left out; "no tests ran in 0.01s" when all
// are zero.
std::string format_summary(const SummaryCounts& counts, Milliseconds elapsed);

// The same text centred in a line of `=` of the given width, as pytest prints it:
// "=================== 1 failed, 2 passed in 0.12s ===================".
std::string format_summary_line(const SummaryCounts& counts, Milliseconds elapsed, int width = 80);

// `text` centred in a line of `=` of the given width (pytest's TerminalWriter.sep), as the
// summary line and pytest's section headings ("slowest 10 durations") are.
std::string format_separator_line(const std::string& text, int width = 80);

// The line an interrupted run prints just above its summary line, in the style of pytest's own
// `!!!!!!! Interrupted: 1 error during collection !!!!!!!` (and `!!! KeyboardInterrupt !!!`):
// "!!!!!!!!!!!!!!!!!! Interrupted: SIGINT; 3 tests not run !!!!!!!!!!!!!!!!!!!".
std::string format_interrupted_line(const std::string& reason, int width = 80);

}  // namespace orchestrate
