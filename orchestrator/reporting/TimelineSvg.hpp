#pragma once

#include "reporting/RunRecord.hpp"

#include <string>

namespace orchestrate {

// The run's timeline as inline SVG for the HTML report: a time axis in seconds and one lane per
// shard, `<g class="lane" data-shard="N">`, holding a rect per phase (class "phase stack-up",
// "phase ready", "phase batch", "phase teardown") and per test run (class "test <outcome>",
// data-test-id, data-outcome), each with a <title> tooltip. The viewBox is fixed and the width is
// 100%, so the drawing scales with the page; colours come from the page's CSS classes. Every text
// from the run is escaped.
std::string render_timeline_svg(const RunRecord& record);

}  // namespace orchestrate
