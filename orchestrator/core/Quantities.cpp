#include "core/Quantities.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace orchestrate {

namespace {

// Splits "1.5GiB" into 1.5 and "gib" (lowercased). Returns false when there is no leading number.
bool split_number_and_unit(std::string_view text, double& number, std::string& unit)
{
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  const auto* begin = text.data();
  const auto* end = text.data() + text.size();
  auto [after_number, error] = std::from_chars(begin, end, number);
  if (error != std::errc() || after_number == begin || !std::isfinite(number) || number < 0) {
    return false;
  }
  unit.clear();
  for (const auto* p = after_number; p != end; ++p) {
    unit.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(*p))));
  }
  return true;
}

// The value of a duration in milliseconds, before any range check; nullopt when malformed.
std::optional<double> duration_milliseconds(std::string_view text)
{
  double number = 0;
  std::string unit;
  if (!split_number_and_unit(text, number, unit)) {
    return std::nullopt;
  }
  double milliseconds_per_unit = 0;
  if (unit.empty() || unit == "s") {
    milliseconds_per_unit = 1000;
  } else if (unit == "ms") {
    milliseconds_per_unit = 1;
  } else if (unit == "m" || unit == "min") {
    milliseconds_per_unit = 60'000;
  } else if (unit == "h") {
    milliseconds_per_unit = 3'600'000;
  } else {
    return std::nullopt;
  }
  return number * milliseconds_per_unit;
}

// The value of a byte size in bytes, before any range check; nullopt when malformed.
std::optional<double> byte_size_value(std::string_view text)
{
  double number = 0;
  std::string unit;
  if (!split_number_and_unit(text, number, unit)) {
    return std::nullopt;
  }
  if (!unit.empty() && unit.back() == 'b') {
    unit.pop_back();  // "mb", "mib" and "m" all mean MiB, as in Docker
  }
  if (!unit.empty() && unit.back() == 'i') {
    unit.pop_back();
  }
  double multiplier = 0;
  if (unit.empty()) {
    multiplier = 1;
  } else if (unit == "k") {
    multiplier = 1024.0;
  } else if (unit == "m") {
    multiplier = 1024.0 * 1024;
  } else if (unit == "g") {
    multiplier = 1024.0 * 1024 * 1024;
  } else if (unit == "t") {
    multiplier = 1024.0 * 1024 * 1024 * 1024;
  } else {
    return std::nullopt;
  }
  return number * multiplier;
}

}  // namespace

std::optional<Milliseconds> parse_duration(std::string_view text)
{
  const auto milliseconds = duration_milliseconds(text);
  // Compared as doubles: llround of a value beyond the int64 range is undefined.
  if (!milliseconds || *milliseconds > static_cast<double>(k_max_duration.count())) {
    return std::nullopt;
  }
  return Milliseconds(static_cast<std::int64_t>(std::llround(*milliseconds)));
}

bool is_duration_out_of_range(std::string_view text)
{
  const auto milliseconds = duration_milliseconds(text);
  return milliseconds && *milliseconds > static_cast<double>(k_max_duration.count());
}

std::optional<std::uint64_t> parse_byte_size(std::string_view text)
{
  const auto bytes = byte_size_value(text);
  if (!bytes || *bytes > static_cast<double>(k_max_byte_size)) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(std::llround(*bytes));
}

bool is_byte_size_out_of_range(std::string_view text)
{
  const auto bytes = byte_size_value(text);
  return bytes && *bytes > static_cast<double>(k_max_byte_size);
}

std::string format_seconds(Milliseconds duration)
{
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2fs", static_cast<double>(duration.count()) / 1000.0);
  return buffer;
}

std::string format_bytes(std::uint64_t bytes)
{
  constexpr double k_mib = 1024.0 * 1024;
  constexpr double k_gib = k_mib * 1024;
  constexpr double k_kib = 1024.0;
  char buffer[32];
  if (bytes >= k_gib) {
    std::snprintf(buffer, sizeof buffer, "%.1f GiB", static_cast<double>(bytes) / k_gib);
  } else if (bytes >= k_mib) {
    std::snprintf(buffer, sizeof buffer, "%.0f MiB", static_cast<double>(bytes) / k_mib);
  } else if (bytes >= k_kib) {
    // Below a MiB "0 MiB" would hide a budget of 1k, which is what someone wrote by mistake.
    std::snprintf(buffer, sizeof buffer, "%.0f KiB", static_cast<double>(bytes) / k_kib);
  } else {
    std::snprintf(buffer, sizeof buffer, "%llu bytes", static_cast<unsigned long long>(bytes));
  }
  return buffer;
}

}  // namespace orchestrate
