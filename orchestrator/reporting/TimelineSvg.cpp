#include "reporting/TimelineSvg.hpp"

#include "reporting/HtmlEscape.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace orchestrate {

namespace {

// Drawing units of the viewBox; the page scales them.
constexpr double k_width = 1000;
// "shard 10" left of each lane, also in the larger text of the phone layout.
constexpr double k_label_width = 96;
constexpr double k_right_margin = 12;
constexpr double k_lane_height = 40;
constexpr double k_bar_height = 30;
constexpr double k_axis_height = 30;
constexpr double k_min_test_width = 1.5;  // a 5 ms test in a 10 min run must still show

std::string number(double value)
{
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

std::string css_class_of(SpanKind kind)
{
  switch (kind) {
    case SpanKind::k_stack_up:
      return "phase stack-up";
    case SpanKind::k_ready:
      return "phase ready";
    case SpanKind::k_batch:
      return "phase batch";
    case SpanKind::k_teardown:
      return "phase teardown";
    case SpanKind::k_test:
      return "test";
  }
  return "phase";
}

// A round step for the axis: 1, 2 or 5 times a power of ten seconds, giving about 8 ticks.
double tick_step_seconds(double total_seconds)
{
  const double rough = std::max(total_seconds / 8.0, 0.001);
  const double power = std::pow(10.0, std::floor(std::log10(rough)));
  for (const double factor : {1.0, 2.0, 5.0}) {
    if (factor * power >= rough) {
      return factor * power;
    }
  }
  return 10.0 * power;
}

std::string tick_label(double seconds, double step)
{
  char buffer[32];
  if (step >= 1) {
    std::snprintf(buffer, sizeof buffer, "%.0fs", seconds);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.*fs", step >= 0.1 ? 1 : (step >= 0.01 ? 2 : 3),
                  seconds);
  }
  return buffer;
}

class TimelineDrawing
{
public:
  explicit TimelineDrawing(const RunRecord& record) : m_record(record)
  {
    for (const auto& shard : record.report.shards) {
      m_shards.insert(shard.shard);
    }
    Milliseconds end = record.report.wall_time;
    for (const auto& span : record.timeline.spans) {
      m_shards.insert(span.shard);
      end = std::max(end, span.start + span.duration);
    }
    m_total_seconds = std::max(static_cast<double>(end.count()) / 1000.0, 0.001);
  }

  std::string render() const
  {
    const double height = k_axis_height + k_lane_height * static_cast<double>(m_shards.size()) + 4;
    std::string svg = "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
                      "viewBox=\"0 0 " + number(k_width) + " " + number(height) +
                      "\" role=\"img\" aria-label=\"timeline of the run, one lane per shard\">\n";
    svg += axis(height);
    int lane = 0;
    for (const int shard : m_shards) {
      svg += lane_of(shard, k_axis_height + k_lane_height * lane++);
    }
    return svg + "</svg>\n";
  }

private:
  double x_of(Milliseconds at) const
  {
    const double seconds = static_cast<double>(at.count()) / 1000.0;
    return k_label_width + (k_width - k_label_width - k_right_margin) * seconds / m_total_seconds;
  }

  std::string axis(double height) const
  {
    const double step = tick_step_seconds(m_total_seconds);
    std::string svg = "<g class=\"axis\">\n";
    for (int i = 0; i * step <= m_total_seconds + 1e-9; ++i) {
      const double x = x_of(Milliseconds(std::llround(i * step * 1000)));
      svg += "<line x1=\"" + number(x) + "\" y1=\"" + number(k_axis_height - 4) + "\" x2=\"" +
             number(x) + "\" y2=\"" + number(height) + "\"/>";
      svg += "<text x=\"" + number(x) + "\" y=\"" + number(k_axis_height - 8) + "\">" +
             tick_label(i * step, step) + "</text>\n";
    }
    return svg + "</g>\n";
  }

  std::string lane_of(int shard, double top) const
  {
    const double bar_top = top + (k_lane_height - k_bar_height) / 2;
    std::string svg = "<g class=\"lane\" data-shard=\"" + std::to_string(shard) + "\">\n";
    svg += "<text class=\"lane-label\" x=\"4\" y=\"" + number(top + k_lane_height / 2) +
           "\" dominant-baseline=\"central\">shard " + std::to_string(shard) + "</text>\n";
    // Phases first, so the tests are drawn on top of their batch.
    for (const auto& span : m_record.timeline.spans) {
      if (span.shard == shard && span.kind != SpanKind::k_test) {
        svg += rect(span, bar_top, k_bar_height, 0);
      }
    }
    for (const auto& span : m_record.timeline.spans) {
      if (span.shard == shard && span.kind == SpanKind::k_test) {
        svg += rect(span, bar_top + 4, k_bar_height - 8, k_min_test_width);
      }
    }
    return svg + "</g>\n";
  }

  std::string rect(const TimelineSpan& span, double top, double height, double min_width) const
  {
    const double x = x_of(span.start);
    const double width = std::max(x_of(span.start + span.duration) - x, min_width);
    std::string attributes = "class=\"" + css_class_of(span.kind);
    std::string title = html_escape(span.name) + " \xe2\x80\x94 " + format_seconds(span.duration);
    if (span.kind == SpanKind::k_test) {
      attributes += " " + html_escape(span.outcome) + "\" data-test-id=\"" +
                    html_escape(span.name) + "\" data-outcome=\"" + html_escape(span.outcome);
      title += ", " + html_escape(span.outcome) + " (shard " + std::to_string(span.shard) +
               (span.attempt > 1 ? ", attempt " + std::to_string(span.attempt) : "") + ")";
    } else {
      title += " (shard " + std::to_string(span.shard) + ")";
    }
    attributes += "\"";
    return "<rect " + attributes + " x=\"" + number(x) + "\" y=\"" + number(top) +
           "\" width=\"" + number(width) + "\" height=\"" + number(height) + "\"><title>" + title +
           "</title></rect>\n";
  }

  const RunRecord& m_record;
  std::set<int> m_shards;
  double m_total_seconds = 1;
};

}  // namespace

std::string render_timeline_svg(const RunRecord& record)
{
  return TimelineDrawing(record).render();
}

}  // namespace orchestrate
