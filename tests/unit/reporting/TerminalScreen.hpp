#pragma once

// A minimal terminal for tests: applies text with the escape sequences the live display uses and
// yields what a user would see, scrollback included. Knows '\r', '\n' (as CR LF, like a terminal
// after the tty's onlcr), ESC[nA, ESC[2K, ESC[J; ignores colour (ESC[...m).

#include <cctype>
#include <string>
#include <vector>

namespace orchestrate::testing {

class TerminalScreen
{
public:
  void write(const std::string& text)
  {
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '\033' && i + 1 < text.size() && text[i + 1] == '[') {
        std::size_t end = i + 2;
        while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) != 0 ||
                                     text[end] == ';')) {
          ++end;
        }
        apply(text.substr(i + 2, end - i - 2), end < text.size() ? text[end] : '\0');
        i = end;
      } else if (c == '\r') {
        m_column = 0;
      } else if (c == '\n') {
        ++m_row;
        m_column = 0;
      } else {
        auto& line = row();
        if (line.size() < m_column) {
          line.resize(m_column, ' ');
        }
        if (m_column < line.size()) {
          line[m_column] = c;
        } else {
          line += c;
        }
        ++m_column;
      }
    }
  }

  // Every line from the top of the scrollback to the cursor's line, without trailing empty ones.
  std::vector<std::string> lines() const
  {
    auto result = m_lines;
    while (!result.empty() && result.back().empty()) {
      result.pop_back();
    }
    return result;
  }

private:
  std::string& row()
  {
    if (m_lines.size() <= m_row) {
      m_lines.resize(m_row + 1);
    }
    return m_lines[m_row];
  }

  void apply(const std::string& parameter, char command)
  {
    const std::size_t n = parameter.empty() ? 1 : std::stoul(parameter);
    if (command == 'A') {
      m_row = m_row >= n ? m_row - n : 0;
    } else if (command == 'K' && parameter == "2") {
      row().clear();
    } else if (command == 'J') {
      row().resize(std::min(row().size(), m_column));
      m_lines.resize(m_row + 1);
    }
  }

  std::vector<std::string> m_lines;
  std::size_t m_row = 0;
  std::size_t m_column = 0;
};

// True when `text` holds an SGR (colour) sequence, ESC [ digits/semicolons m; cursor movement
// does not count.
inline bool has_color_sequence(const std::string& text)
{
  for (auto at = text.find("\033["); at != std::string::npos; at = text.find("\033[", at + 1)) {
    const auto end = text.find_first_not_of("0123456789;", at + 2);
    if (end != std::string::npos && text[end] == 'm') {
      return true;
    }
  }
  return false;
}

}  // namespace orchestrate::testing
