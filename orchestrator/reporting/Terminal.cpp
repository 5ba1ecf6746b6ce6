#include "reporting/Terminal.hpp"

#include "reporting/ColorChoice.hpp"

#include <cstdlib>
#include <cstring>
#include <sys/ioctl.h>
#include <unistd.h>

namespace orchestrate {

std::string paint(const std::string& text, const char* color_code, bool enabled)
{
  return enabled ? std::string(color_code) + text + "\033[0m" : text;
}

TerminalSize query_terminal_size(std::FILE* out)
{
  TerminalSize size;
  winsize window{};
  if (::ioctl(::fileno(out), TIOCGWINSZ, &window) == 0) {
    // A pseudo-terminal nobody sized reports 0x0: keep the defaults then.
    if (window.ws_col > 0) {
      size.columns = window.ws_col;
    }
    if (window.ws_row > 0) {
      size.rows = window.ws_row;
    }
  }
  return size;
}

bool supports_cursor_movement(std::FILE* out)
{
  const char* term = std::getenv("TERM");
  return ::isatty(::fileno(out)) != 0 && term != nullptr && *term != '\0' &&
         std::strcmp(term, "dumb") != 0;
}

bool use_color(std::FILE* out)
{
  return should_color(ColorChoice::k_auto, out);
}

}  // namespace orchestrate
