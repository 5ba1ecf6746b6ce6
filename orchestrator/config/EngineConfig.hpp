#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

class YamlMapping;

// The client certificate files of a tcp:// engine with TLS (as `docker --tlsverify` takes them).
struct TlsFiles
{
  std::filesystem::path ca;    // the engine's certificate is checked against it
  std::filesystem::path cert;  // our client certificate
  std::filesystem::path key;   // its private key
};

// One entry of `engines:` in orchestrate.yaml: a Docker engine that test stacks may be placed on.
// Exactly one of `host` and `context` is set. Paths are absolute (resolved against the project
// root). See docs/scale-out.md.
struct EngineConfig
{
  std::string name;     // unique; what --engine, reports and labels use
  std::string host;     // unix:///path, tcp://host:port or ssh://[user@]host[:port]
  std::string context;  // a `docker context` name, read from the docker CLI's metadata
  std::optional<TlsFiles> tls;              // tcp:// only
  std::filesystem::path ssh_config;         // ssh:// only: passed to ssh as -F (empty: ssh's own)
  std::optional<std::uint64_t> memory_budget_bytes;  // empty: the project's memory_budget
  std::optional<int> start_slots;           // 0: unlimited; empty: the run's (StartSlotCount.hpp)
  std::string address;                      // where published ports are reached; empty: derived
  std::filesystem::path source_path;        // orchestrate.yaml
  int line = 0;                             // the entry's line, for messages
};

// Reads `engines:` (a list of mappings) from orchestrate.yaml, resolving paths against `root`.
// Returns an empty list when the key is absent: the default engine is then used (see
// EngineEndpoint.hpp). Throws ConfigError `path:line:` for anything else than a non-empty list of
// mappings with the keys name (required, unique, [a-z0-9_-]), host or context (exactly one; host
// with the scheme unix://, tcp:// or ssh://), tls {ca, cert, key} (all three, tcp:// only),
// ssh_config (ssh:// only), memory_budget (a byte size larger than 0), address (a host name or IP),
// start_slots (a whole number, 0 or more).
std::vector<EngineConfig> read_engine_configs(const YamlMapping& file,
                                              const std::filesystem::path& root);

}  // namespace orchestrate
