#include "selection/RepeatPlan.hpp"

#include "core/Error.hpp"

#include <algorithm>
#include <charconv>

namespace orchestrate {

namespace {

constexpr const char* k_repeat_usage =
  "--repeat: expected N, until-fail:N or until-pass:N with N >= 1";

bool is_passed_run(Outcome outcome)
{
  return outcome == Outcome::k_passed || outcome == Outcome::k_xfailed ||
         outcome == Outcome::k_skipped;
}

}  // namespace

bool is_failed_run(Outcome outcome)
{
  return outcome == Outcome::k_failed || outcome == Outcome::k_error;
}

bool RepeatPlan::wants_another_run(const std::vector<Outcome>& outcomes) const
{
  if (static_cast<int>(outcomes.size()) >= runs) {
    return false;
  }
  if (outcomes.empty()) {
    return true;
  }
  switch (mode) {
  case Mode::k_count:
    return true;
  case Mode::k_until_fail:
    return !is_failed_run(outcomes.back());
  case Mode::k_until_pass:
    return !is_passed_run(outcomes.back());
  }
  return false;
}

TestResult RepeatPlan::combine(const std::vector<TestResult>& runs) const
{
  const auto decisive = std::find_if(runs.begin(), runs.end(), [&](const TestResult& run) {
    return mode == Mode::k_until_pass ? is_passed_run(run.outcome) : is_failed_run(run.outcome);
  });
  TestResult combined = decisive != runs.end() ? *decisive : runs.back();
  combined.attempts = static_cast<int>(runs.size());
  combined.flaky = mode == Mode::k_until_pass && decisive != runs.end() &&
                   decisive != runs.begin();
  return combined;
}

RepeatPlan parse_repeat_plan(const std::string& text)
{
  RepeatPlan plan;
  std::string count = text;
  for (const auto& [prefix, mode] : {std::pair{"until-fail:", RepeatPlan::Mode::k_until_fail},
                                     std::pair{"until-pass:", RepeatPlan::Mode::k_until_pass}}) {
    const std::string wanted = prefix;
    if (text.compare(0, wanted.size(), wanted) == 0) {
      plan.mode = mode;
      count = text.substr(wanted.size());
    }
  }
  const auto [end, error] = std::from_chars(count.data(), count.data() + count.size(), plan.runs);
  if (count.empty() || error != std::errc() || end != count.data() + count.size() ||
      plan.runs < 1) {
    throw UsageError(std::string(k_repeat_usage) + ", got '" + text + "'");
  }
  return plan;
}

void RepeatTally::record(const TestResult& result)
{
  std::lock_guard lock(m_mutex);
  auto& counts = m_counts[result.id];
  if (is_failed_run(result.outcome)) {
    ++counts.failed;
  } else if (result.outcome == Outcome::k_passed) {
    ++counts.passed;
  } else {
    ++counts.other;
  }
}

std::map<std::string, RepeatTally::Counts> RepeatTally::counts() const
{
  std::lock_guard lock(m_mutex);
  return m_counts;
}

std::string format_repeat_summary(const RepeatPlan& plan,
                                  const std::map<std::string, RepeatTally::Counts>& counts,
                                  bool verbose)
{
  using Entry = std::pair<std::string, RepeatTally::Counts>;
  std::vector<Entry> entries(counts.begin(), counts.end());
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.second.failed > b.second.failed;
  });
  const char* mode = plan.mode == RepeatPlan::Mode::k_until_fail   ? "until-fail:"
                     : plan.mode == RepeatPlan::Mode::k_until_pass ? "until-pass:"
                                                                   : "";
  std::string text = "repeat " + std::string(mode) + std::to_string(plan.runs) + ": passed/failed "
                     "runs per test\n";
  int always_passed = 0;
  for (const auto& [id, count] : entries) {
    const int total = count.passed + count.failed + count.other;
    if (count.failed == 0 && !verbose) {
      ++always_passed;
      continue;
    }
    std::string line = "  " + id + ": passed " + std::to_string(count.passed) + ", failed " +
                       std::to_string(count.failed);
    if (count.other > 0) {
      line += ", other " + std::to_string(count.other);
    }
    line += " of " + std::to_string(total) + " runs";
    if (count.failed > 0 && count.passed > 0) {
      line += "  FLAKY";
    }
    text += line + "\n";
  }
  if (always_passed > 0) {
    text += "  " + std::to_string(always_passed) +
            (always_passed == 1 ? " other test" : " other tests") + " never failed\n";
  }
  return text;
}

}  // namespace orchestrate
