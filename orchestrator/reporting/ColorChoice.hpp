#pragma once

#include <cstdio>
#include <functional>
#include <optional>
#include <string>

namespace orchestrate {

// `--color`: as pytest's option of the same name.
enum class ColorChoice { k_auto, k_yes, k_no };

// Parses "auto", "yes" or "no". Throws UsageError saying what was expected.
ColorChoice parse_color_choice(const std::string& text);

// Whether the output gets colour, decided as pytest does (`_pytest/_io/terminalwriter.py`,
// should_do_markup): --color yes or no wins; under auto a non-empty NO_COLOR turns it off, else a
// non-empty FORCE_COLOR turns it on (colour in CI logs, which are no terminal), else colour when
// `is_terminal` and TERM is not "dumb". `variable` looks up environment variables.
bool should_color(ColorChoice choice, bool is_terminal,
                  const std::function<std::optional<std::string>(const std::string&)>& variable);

// The same for `out` and this process's environment.
bool should_color(ColorChoice choice, std::FILE* out);

}  // namespace orchestrate
