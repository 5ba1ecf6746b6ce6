#pragma once

#include "reporting/RunRecord.hpp"

#include <filesystem>

namespace orchestrate {

// The views of a run besides the terminal: `--trace FILE` and `--html FILE` (empty paths: not
// asked for).
struct RunViewFiles
{
  std::filesystem::path trace;
  std::filesystem::path html;
};

// Writes the trace and HTML report asked for in `files`. Throws InternalError when one cannot be
// written.
void write_run_views(const RunRecord& record, const RunViewFiles& files);

// At the end of every run: keeps the record in the run folder (for `orchestrate report`; a failure
// to save it is logged, never fatal), then writes the views asked for (throws as write_run_views).
void keep_run_record(const std::filesystem::path& run_dir, const RunRecord& record,
                     const RunViewFiles& files);

}  // namespace orchestrate
