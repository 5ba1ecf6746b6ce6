#pragma once

#include "core/Quantities.hpp"
#include "reporting/ShardStatusBoard.hpp"
#include "reporting/Terminal.hpp"

#include <string>
#include <vector>

namespace orchestrate {

// How a line of the live display is coloured (when colour is allowed).
enum class LineTone { k_plain, k_good, k_bad };

struct StatusLine
{
  std::string text;  // plain text, no escape sequences, fits the terminal's width
  LineTone tone = LineTone::k_plain;

  bool operator==(const StatusLine&) const = default;
};

// The live display's lines for `board`: one per shard, then the overall line, e.g.
//   shard 1  running batch 2 (30 tests) | 18 passed, 1 failed | tests/test_orders.py::test_x
//   shard 2  done: 20 passed
//   [ 58%] 43 of 74 tests: 42 passed, 1 failed, 0 skipped in 12.31s
// With several engines (some shard's stack was placed), each shard line names its engine after
// the number, padded to the widest: `shard 1 on local  running ...`, `shard 2 on tls    done: ...`.
// Every line is cut to `size.columns - 1` characters, because a line that fills the last column
// wraps on some terminals and the redraw would then climb one line too few. When the shards do not
// fit in `size.rows - 2` lines, the busiest shards are shown and one line counts the others.
std::vector<StatusLine> render_status_lines(const ShardStatusBoard& board, Milliseconds elapsed,
                                            TerminalSize size);

// `text` cut to at most `width` characters (UTF-8 code points), ending in "..." when cut.
std::string truncate_to_width(const std::string& text, int width);

}  // namespace orchestrate
