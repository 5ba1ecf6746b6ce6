#include "resources/MemInfo.hpp"

#include "core/FileText.hpp"

#include <charconv>
#include <string>

namespace orchestrate {

namespace {

constexpr std::string_view k_field = "MemAvailable:";

std::string_view trim_leading_blanks(std::string_view text)
{
  const auto first = text.find_first_not_of(" \t");
  return first == std::string_view::npos ? std::string_view() : text.substr(first);
}

}  // namespace

std::optional<std::uint64_t> parse_mem_available(std::string_view meminfo_text)
{
  std::size_t line_start = 0;
  while (line_start < meminfo_text.size()) {
    auto line_end = meminfo_text.find('\n', line_start);
    if (line_end == std::string_view::npos) {
      line_end = meminfo_text.size();
    }
    const std::string_view line = meminfo_text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    if (!line.starts_with(k_field)) {
      continue;
    }
    const std::string_view value = trim_leading_blanks(line.substr(k_field.size()));
    std::uint64_t amount = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), amount);
    if (error != std::errc() || end == value.data()) {
      return std::nullopt;
    }
    const std::string_view unit = trim_leading_blanks(
      value.substr(static_cast<std::size_t>(end - value.data())));
    // The kernel always writes "kB" (meaning KiB); a bare number would be bytes.
    if (unit.starts_with("kB")) {
      return amount * 1024;
    }
    if (unit.empty() || unit == "\r") {
      return amount;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> read_mem_available(const std::filesystem::path& path)
{
  const std::optional<std::string> text = read_file_text(path);
  if (!text) {
    return std::nullopt;
  }
  return parse_mem_available(*text);
}

}  // namespace orchestrate
