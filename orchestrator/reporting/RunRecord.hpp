#pragma once

#include "reporting/JsonReport.hpp"
#include "reporting/RunTimeline.hpp"

#include <filesystem>

namespace orchestrate {

// Everything a run leaves for looking at it afterwards: its report and its timeline. Every run
// writes both into its folder (.orchestrate/runs/<run id>/report.json and timeline.json), so
// `orchestrate report RUN_DIR` can render a past run as the run itself would have.
struct RunRecord
{
  RunReport report;
  Timeline timeline;
};

inline constexpr const char* k_run_report_file = "report.json";
inline constexpr const char* k_run_timeline_file = "timeline.json";

// Writes the timeline as JSON (times in seconds from the run's start). Throws InternalError when
// the file cannot be written.
void write_timeline(const std::filesystem::path& file, const Timeline& timeline);

// Reads a file written by write_timeline. Throws InternalError naming the file when it is missing
// or not such a file.
Timeline read_timeline(const std::filesystem::path& file);

// Writes report.json and timeline.json into `run_dir`. Throws InternalError.
void save_run_record(const std::filesystem::path& run_dir, const RunRecord& record);

// Reads a run folder written by save_run_record. Throws UsageError when `run_dir` is not a run
// folder (no report.json: a run that ended before it ran tests, or another folder), InternalError
// when a file is damaged.
RunRecord load_run_record(const std::filesystem::path& run_dir);

}  // namespace orchestrate
