#pragma once

#include "docker/ComposeModel.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace orchestrate {

// The compose override that orchestrate generates for each stack: it puts `labels` on every service
// (so on its containers), on every network compose creates (including `default`) and on every named
// volume. Compose reads JSON as YAML, so the override is written as JSON with nlohmann::json rather
// than assembled by hand.
std::string override_file_text(const ComposeModel& model,
                               const std::map<std::string, std::string>& labels);

// Writes override_file_text() to `path` (creating parent folders). Throws InternalError on failure.
void write_override_file(const std::filesystem::path& path, const ComposeModel& model,
                         const std::map<std::string, std::string>& labels);

}  // namespace orchestrate
