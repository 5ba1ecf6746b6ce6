#include "reporting/RunViews.hpp"

#include "reporting/HtmlReport.hpp"
#include "reporting/TraceFile.hpp"

#include <spdlog/spdlog.h>

namespace orchestrate {

void write_run_views(const RunRecord& record, const RunViewFiles& files)
{
  if (!files.trace.empty()) {
    write_trace_file(files.trace, record);
  }
  if (!files.html.empty()) {
    write_html_report(files.html, record);
  }
}

void keep_run_record(const std::filesystem::path& run_dir, const RunRecord& record,
                     const RunViewFiles& files)
{
  try {
    save_run_record(run_dir, record);
  } catch (const std::exception& error) {
    // The run's outcome stands without it; only `orchestrate report` of this run will miss it.
    spdlog::warn("could not keep the run's report in {}: {}", run_dir.string(), error.what());
  }
  write_run_views(record, files);
}

}  // namespace orchestrate
