#pragma once

#include "config/ProjectConfig.hpp"
#include "run/RunOptions.hpp"

#include <filesystem>
#include <string>

namespace orchestrate {

// Checks, before anything starts (no preflight call, no lock, no stack), that the run can write
// everywhere it will write: the project's state_dir (run folders, durations), and the files of
// --junit-xml and --report-json. Creates missing folders as the writers would, and proves each
// place writable by creating (and removing) a probe file beside the target; an existing target
// file is opened for writing without being truncated. Throws UsageError (exit 4) naming the path,
// what it is for, and the reason: otherwise an unwritable report path failed only after the whole
// suite had run, and an unwritable state_dir was an "internal error".
void check_output_paths(const ProjectConfig& project, const RunOptions& options);

// The check for one file the run will write; `what` names it in the message ("--report-json").
// Throws UsageError as above.
void check_writable_file(const std::filesystem::path& file, const std::string& what);

// The check for one folder the run will write into. Throws UsageError as above.
void check_writable_folder(const std::filesystem::path& folder, const std::string& what);

}  // namespace orchestrate
