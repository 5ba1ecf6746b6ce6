#pragma once

#include "reporting/StatusLines.hpp"

#include <string>
#include <vector>

namespace orchestrate {

// A block of status lines kept at the bottom of a terminal and redrawn in place. Produces the
// text to write (lines plus ANSI cursor movement: move up, clear line, clear to the end of the
// screen) and remembers how many lines the block takes on screen; it writes nothing itself, so
// tests read exactly what a terminal would get. Assumes that everything written to the terminal
// while the block is up goes through it.
class LiveDisplay
{
public:
  // `color`: paint the lines by their tone; without it the text has no SGR sequences at all.
  explicit LiveDisplay(bool color);

  // Text that replaces the block on screen with `lines` (or draws it the first time).
  std::string redraw(const std::vector<StatusLine>& lines);

  // Text that prints `text` (whole lines, each ending in '\n') above the block as permanent
  // output that stays in the scrollback, then draws `lines` below it.
  std::string print_above(const std::string& text, const std::vector<StatusLine>& lines);

  // Text that draws `lines` one last time and leaves them on screen as ordinary output: later
  // text goes below them and nothing moves the cursor up again.
  std::string finish(const std::vector<StatusLine>& lines);

  // Text that removes the block from the screen (with whatever the terminal echoed below it, such
  // as `^C`), leaving the cursor where its first line was: what follows takes its place.
  std::string erase();

  // Lines the block takes on screen now (0 before the first draw and after finish).
  int lines_on_screen() const
  {
    return m_lines_on_screen;
  }

private:
  // Moves the cursor from below the block to the start of its first line.
  std::string to_block_start() const;
  std::string draw(const std::vector<StatusLine>& lines);

  bool m_color;
  int m_lines_on_screen = 0;
};

}  // namespace orchestrate
