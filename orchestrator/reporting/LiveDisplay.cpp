#include "reporting/LiveDisplay.hpp"

namespace orchestrate {

namespace {

constexpr const char* k_clear_line = "\033[2K";
constexpr const char* k_clear_to_end_of_screen = "\033[J";

const char* tone_color(LineTone tone)
{
  switch (tone) {
  case LineTone::k_good:
    return k_green;
  case LineTone::k_bad:
    return k_red;
  case LineTone::k_plain:
    return nullptr;
  }
  return nullptr;
}

}  // namespace

LiveDisplay::LiveDisplay(bool color) : m_color(color)
{
}

std::string LiveDisplay::to_block_start() const
{
  if (m_lines_on_screen == 0) {
    return "";
  }
  return "\r\033[" + std::to_string(m_lines_on_screen) + "A";
}

std::string LiveDisplay::draw(const std::vector<StatusLine>& lines)
{
  std::string text;
  for (const auto& line : lines) {
    // Each old line is overwritten where it stands (clear, then write) rather than the whole
    // block being cleared first, so a terminal that shows a half-written frame does not flicker.
    const char* color = tone_color(line.tone);
    text += k_clear_line;
    text += color != nullptr ? paint(line.text, color, m_color) : line.text;
    text += '\n';
  }
  // The old block may have had more lines than the new one.
  text += k_clear_to_end_of_screen;
  m_lines_on_screen = static_cast<int>(lines.size());
  return text;
}

std::string LiveDisplay::redraw(const std::vector<StatusLine>& lines)
{
  auto text = to_block_start();
  return text + draw(lines);
}

std::string LiveDisplay::print_above(const std::string& permanent,
                                     const std::vector<StatusLine>& lines)
{
  // The block's lines are cleared first: permanent text may be shorter than what it covers.
  auto text = to_block_start() + k_clear_to_end_of_screen + permanent;
  m_lines_on_screen = 0;
  return text + draw(lines);
}

std::string LiveDisplay::erase()
{
  auto text = to_block_start() + k_clear_to_end_of_screen;
  m_lines_on_screen = 0;
  return text;
}

std::string LiveDisplay::finish(const std::vector<StatusLine>& lines)
{
  auto text = redraw(lines);
  m_lines_on_screen = 0;
  return text;
}

}  // namespace orchestrate
