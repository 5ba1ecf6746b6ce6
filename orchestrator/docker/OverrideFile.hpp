#pragma once

#include "docker/ComposeModel.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace orchestrate {

// Container ports that orchestrate publishes itself, by service name (each fixture's port).
using PublishedPorts = std::map<std::string, std::vector<int>>;

// The compose override that orchestrate generates for each stack:
//   - `labels` on every service (so on its containers), on every network compose creates
//     (including `default`) and on every named volume;
//   - for each service of `published`, its `ports` replaced (`!override`) by those container
//     ports published on `address` (loopback for a local engine, else the address where the tests
//     reach the engine) with an ephemeral host port ("127.0.0.1::5432"), followed by
//     the service's other entries of `ports` unchanged. The user's own publication of a fixture's
//     port ("5432" on every interface, a fixed "5432:5432") is dropped: two shards can then
//     never collide on a host port, and the only binding of the port is the one tests are handed.
// Written as YAML with yaml-cpp's emitter: JSON cannot carry compose's `!override` tag (read by
// compose v2.24 and later; tested with 2.26.1).
std::string override_file_text(const ComposeModel& model,
                               const std::map<std::string, std::string>& labels,
                               const PublishedPorts& published = {},
                               const std::string& address = "127.0.0.1");

// Writes override_file_text() to `path` (creating parent folders). Throws InternalError on failure.
void write_override_file(const std::filesystem::path& path, const ComposeModel& model,
                         const std::map<std::string, std::string>& labels,
                         const PublishedPorts& published = {},
                         const std::string& address = "127.0.0.1");

}  // namespace orchestrate
