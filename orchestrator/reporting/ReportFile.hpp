#pragma once

#include <filesystem>
#include <string>

namespace orchestrate {

// Writes `text` to `file` (replacing it), creating the parent folder if needed. Throws
// InternalError "cannot write <what> <file>: <reason>".
void write_report_file(const std::filesystem::path& file, const std::string& text,
                       const std::string& what);

}  // namespace orchestrate
