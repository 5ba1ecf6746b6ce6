#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orchestrate {

using Milliseconds = std::chrono::milliseconds;

// The largest duration and byte size the parsers accept. Beyond them the arithmetic done with a
// value (a deadline now + timeout in nanoseconds, a sum of budgets) would overflow or saturate
// silently, so a larger value in a file is an error, not a clamp.
inline constexpr Milliseconds k_max_duration = std::chrono::hours(24 * 365);
inline constexpr std::uint64_t k_max_byte_size = std::uint64_t{1} << 50;  // 1 PiB
inline constexpr const char* k_max_duration_text = "8760h (365 days)";
inline constexpr const char* k_max_byte_size_text = "1PiB";

// Parses a duration as users write it: "250ms", "30s", "2m", "1h", "1.5s"; a bare number is seconds.
// Returns nullopt when the text is not such a duration or is longer than k_max_duration (callers
// turn that into a message that says what was expected; is_duration_out_of_range tells which).
std::optional<Milliseconds> parse_duration(std::string_view text);

// True when `text` is a well-formed duration longer than k_max_duration.
bool is_duration_out_of_range(std::string_view text);

// Parses a byte size as compose writes it: "512m", "512M", "512MiB", "4GiB", "1g", "1024k",
// "1073741824" (bytes). Units are binary (1k = 1024), as in Docker. Returns nullopt otherwise, and
// for a size above k_max_byte_size.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

// True when `text` is a well-formed byte size above k_max_byte_size.
bool is_byte_size_out_of_range(std::string_view text);

// "1.23s", as pytest prints durations.
std::string format_seconds(Milliseconds duration);

// "512 MiB", "1.5 GiB", "1 KiB", "100 bytes": for messages about memory.
std::string format_bytes(std::uint64_t bytes);

}  // namespace orchestrate
