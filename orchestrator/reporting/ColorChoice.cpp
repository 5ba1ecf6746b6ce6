#include "reporting/ColorChoice.hpp"

#include "core/Error.hpp"

#include <cstdlib>
#include <unistd.h>

namespace orchestrate {

ColorChoice parse_color_choice(const std::string& text)
{
  if (text == "auto") {
    return ColorChoice::k_auto;
  }
  if (text == "yes") {
    return ColorChoice::k_yes;
  }
  if (text == "no") {
    return ColorChoice::k_no;
  }
  throw UsageError("--color: expected auto, yes or no, got '" + text + "'");
}

bool should_color(ColorChoice choice, bool is_terminal,
                  const std::function<std::optional<std::string>(const std::string&)>& variable)
{
  if (choice != ColorChoice::k_auto) {
    return choice == ColorChoice::k_yes;
  }
  const auto set = [&](const char* name) {
    const auto value = variable(name);
    return value && !value->empty();
  };
  if (set("NO_COLOR")) {
    return false;
  }
  if (set("FORCE_COLOR")) {
    return true;
  }
  return is_terminal && variable("TERM") != std::optional<std::string>("dumb");
}

bool should_color(ColorChoice choice, std::FILE* out)
{
  return should_color(choice, ::isatty(::fileno(out)) != 0,
                      [](const std::string& name) -> std::optional<std::string> {
                        const char* value = std::getenv(name.c_str());
                        return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
                      });
}

}  // namespace orchestrate
