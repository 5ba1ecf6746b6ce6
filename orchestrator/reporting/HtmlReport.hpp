#pragma once

#include "reporting/RunRecord.hpp"

#include <filesystem>
#include <string>

namespace orchestrate {

// The run as one self-contained HTML page (inline CSS and SVG, no script, nothing fetched): the
// summary, a timeline with one lane per shard (an SVG <g class="lane" data-shard="N">, holding a
// rect per phase and per test run, each test rect with data-test-id and a <title> tooltip), the
// failures with their output, the slowest tests, each shard's phases and peak memory, the flaky
// tests. Every text that comes from the run is escaped. Readable from phone width up.
std::string render_html_report(const RunRecord& record);

// Writes render_html_report(record) to `file`. Throws InternalError when it cannot be written.
void write_html_report(const std::filesystem::path& file, const RunRecord& record);

}  // namespace orchestrate
