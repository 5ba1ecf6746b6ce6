#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orchestrate {

using Milliseconds = std::chrono::milliseconds;

// Parses a duration as users write it: "250ms", "30s", "2m", "1h", "1.5s"; a bare number is seconds.
// Returns nullopt when the text is not such a duration (callers turn that into a message that says
// what was expected).
std::optional<Milliseconds> parse_duration(std::string_view text);

// Parses a byte size as compose writes it: "512m", "512M", "512MiB", "4GiB", "1g", "1024k",
// "1073741824" (bytes). Units are binary (1k = 1024), as in Docker. Returns nullopt otherwise.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

// "1.23s", as pytest prints durations.
std::string format_seconds(Milliseconds duration);

// "512 MiB", "1.5 GiB": for messages about memory.
std::string format_bytes(std::uint64_t bytes);

}  // namespace orchestrate
