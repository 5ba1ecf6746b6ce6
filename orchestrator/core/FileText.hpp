#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace orchestrate {

// The whole content of `file`, bytes as they are; nullopt when it cannot be opened (errno says
// why). Callers turn that into their own error: a config error, a missing cache, ...
std::optional<std::string> read_file_text(const std::filesystem::path& file);

}  // namespace orchestrate
