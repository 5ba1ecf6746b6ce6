#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace orchestrate {

// Compose's short (string) syntax for ports, volumes and tmpfs mounts, split into the parts that
// lint looks at. Nothing is validated: compose itself rejects malformed entries when it starts the
// stack. Variables (${PORT}) are kept as written. None of these throws.

// A `ports` entry: "80", "8080:80", "127.0.0.1:8080:80", "127.0.0.1::80", "[::1]:8080:80",
// "8000-8010:80", each optionally followed by "/tcp" or "/udp".
struct ShortPort
{
  std::string host_ip;         // "" when none
  std::string host_port;       // "" when the engine picks one (or the port is not published)
  std::string container_port;  // without the protocol
};

ShortPort parse_short_port(std::string_view text);

// A `volumes` entry: "source:target[:mode]" or just "target" (an anonymous volume).
struct ShortVolume
{
  std::string source;  // a host path or a volume name; "" for an anonymous volume
  std::string target;
};

ShortVolume parse_short_volume(std::string_view text);

// A `tmpfs` entry: "/path" or "/path:opt,opt" where one option may be "size=64m".
struct ShortTmpfs
{
  std::string target;
  std::optional<std::string> size;  // the value of the size option, when given
};

ShortTmpfs parse_short_tmpfs(std::string_view text);

// Whether `size` (a tmpfs size or a resource limit, as written) is zero, which Docker takes as
// "no limit": "0", "0.0", "0m", "0b". False for anything else, including variables.
bool is_zero_quantity(std::string_view size);

}  // namespace orchestrate
