#include "reporting/HtmlEscape.hpp"

namespace orchestrate {

std::string html_escape(std::string_view text)
{
  std::string escaped;
  escaped.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&#39;";
        break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        const bool control = (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7f;
        if (!control) {
          escaped += c;  // bytes of UTF-8 sequences pass as they are
        }
      }
    }
  }
  return escaped;
}

}  // namespace orchestrate
