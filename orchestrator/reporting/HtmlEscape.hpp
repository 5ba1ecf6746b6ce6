#pragma once

#include <string>
#include <string_view>

namespace orchestrate {

// `text` made safe as HTML text and as a double- or single-quoted attribute value (in HTML and in
// inline SVG): & < > " ' become entities; control characters other than tab, newline and carriage
// return (terminal colour escapes in test output) are dropped.
std::string html_escape(std::string_view text);

}  // namespace orchestrate
