#pragma once

#include <filesystem>
#include <optional>

namespace orchestrate {

// The folder holding the nearest orchestrate.yaml: `start` itself or the closest of its parents
// that has one, as pytest, git and compose find their configuration. nullopt when no folder up
// to the filesystem root has one. `start` is made absolute first. Throws nothing.
std::optional<std::filesystem::path> find_project_root(const std::filesystem::path& start);

}  // namespace orchestrate
