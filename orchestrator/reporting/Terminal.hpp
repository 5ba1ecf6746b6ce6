#pragma once

#include <cstdio>
#include <string>

namespace orchestrate {

// ANSI SGR colours for what users read; `paint` applies one only when colour is allowed.
constexpr const char* k_green = "\033[32m";
constexpr const char* k_red = "\033[31m";
constexpr const char* k_yellow = "\033[33m";

// `text` wrapped in `color_code` and a reset when `enabled`, else `text` unchanged.
std::string paint(const std::string& text, const char* color_code, bool enabled);

struct TerminalSize
{
  int columns = 80;
  int rows = 24;
};

// The size of the terminal behind `out` (TIOCGWINSZ); 80x24 when `out` is not a terminal or the
// terminal does not say.
TerminalSize query_terminal_size(std::FILE* out);

// True when `out` is a terminal that can move its cursor: a TTY whose TERM is set and not "dumb"
// (Emacs shells and some CI consoles set TERM=dumb for exactly this).
bool supports_cursor_movement(std::FILE* out);

// True when color should be used on `out` under --color auto (ColorChoice.hpp): NO_COLOR unset
// (https://no-color.org), and FORCE_COLOR set or a terminal whose TERM is not dumb.
bool use_color(std::FILE* out);

}  // namespace orchestrate
