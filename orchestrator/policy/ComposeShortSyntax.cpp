#include "policy/ComposeShortSyntax.hpp"

#include <cctype>
#include <vector>

namespace orchestrate {

namespace {

std::vector<std::string> split(std::string_view text, char separator)
{
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t end = text.find(separator); end != std::string_view::npos;
       end = text.find(separator, start)) {
    parts.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  parts.emplace_back(text.substr(start));
  return parts;
}

}  // namespace

ShortPort parse_short_port(std::string_view text)
{
  if (const auto slash = text.rfind('/'); slash != std::string_view::npos) {
    text = text.substr(0, slash);
  }
  ShortPort port;
  // A bracketed IPv6 address holds colons of its own.
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close != std::string_view::npos) {
      port.host_ip = std::string(text.substr(0, close + 1));
      text = text.substr(close + 1);
      if (!text.empty() && text.front() == ':') {
        text.remove_prefix(1);
      }
    }
  }
  const auto parts = split(text, ':');
  port.container_port = parts.back();
  if (parts.size() >= 2) {
    port.host_port = parts[parts.size() - 2];
  }
  // An unbracketed IPv6 address ("::1:8080:80") is everything before the host port.
  for (std::size_t i = 0; i + 2 < parts.size(); ++i) {
    port.host_ip += (i == 0 ? "" : ":") + parts[i];
  }
  return port;
}

ShortVolume parse_short_volume(std::string_view text)
{
  const auto parts = split(text, ':');
  if (parts.size() == 1) {
    return {"", parts.front()};
  }
  return {parts[0], parts[1]};
}

ShortTmpfs parse_short_tmpfs(std::string_view text)
{
  const auto colon = text.find(':');
  ShortTmpfs tmpfs{std::string(text.substr(0, colon)), std::nullopt};
  if (colon == std::string_view::npos) {
    return tmpfs;
  }
  constexpr std::string_view k_size_option = "size=";
  for (const auto& option : split(text.substr(colon + 1), ',')) {
    if (option.starts_with(k_size_option)) {
      tmpfs.size = option.substr(k_size_option.size());
    }
  }
  return tmpfs;
}

bool is_zero_quantity(std::string_view size)
{
  bool has_digit = false;
  std::size_t i = 0;
  for (; i < size.size() && (std::isdigit(static_cast<unsigned char>(size[i])) || size[i] == '.');
       ++i) {
    if (size[i] != '.' && size[i] != '0') {
      return false;
    }
    has_digit = has_digit || size[i] == '0';
  }
  // Only a unit may follow the number ("0m", "0GiB").
  for (; i < size.size(); ++i) {
    if (!std::isalpha(static_cast<unsigned char>(size[i]))) {
      return false;
    }
  }
  return has_digit;
}

}  // namespace orchestrate
