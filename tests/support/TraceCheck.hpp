#pragma once

// Checks a Chrome trace-event document against what the format requires (the "JSON Object
// Format" of the Trace Event Format document), for the tests of --trace.

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace orchestrate::testing {

// What breaks the format: every event needs name, ph, ts, pid and tid (ts a number in
// microseconds); complete events (X) a numeric dur >= 0; counters (C) args whose values are all
// numbers; metadata (M) an args object. Empty when the document is fine.
inline std::vector<std::string> trace_format_problems(const nlohmann::json& document)
{
  std::vector<std::string> problems;
  if (!document.is_object() || !document.contains("traceEvents") ||
      !document["traceEvents"].is_array()) {
    return {"not an object with a traceEvents array"};
  }
  int index = 0;
  for (const auto& event : document["traceEvents"]) {
    const std::string where = "event " + std::to_string(index++) + " " + event.dump() + ": ";
    for (const char* key : {"name", "ph", "ts", "pid", "tid"}) {
      if (!event.contains(key)) {
        problems.push_back(where + "no " + key);
      }
    }
    if (!event.contains("ph") || !event["ph"].is_string()) {
      continue;
    }
    if (!event.value("ts", nlohmann::json()).is_number()) {
      problems.push_back(where + "ts is not a number");
    }
    const std::string phase = event["ph"];
    if (phase == "X" && !(event.contains("dur") && event["dur"].is_number() && event["dur"] >= 0)) {
      problems.push_back(where + "complete event without a non-negative dur");
    }
    if (phase == "C") {
      if (!event.contains("args") || !event["args"].is_object() || event["args"].empty()) {
        problems.push_back(where + "counter without args");
      } else {
        for (const auto& [series, value] : event["args"].items()) {
          if (!value.is_number()) {
            problems.push_back(where + "counter value " + series + " is not a number");
          }
        }
      }
    }
    if (phase == "M" && !(event.contains("args") && event["args"].is_object())) {
      problems.push_back(where + "metadata without args");
    }
  }
  return problems;
}

// Complete events of one thread that overlap without one containing the other (trace viewers
// draw a thread's events as a stack of nested slices and flag or drop such pairs).
inline std::vector<std::string> trace_misnested_events(const nlohmann::json& document)
{
  std::map<int, std::vector<std::pair<long long, long long>>> by_thread;  // tid -> (start, end)
  for (const auto& event : document["traceEvents"]) {
    if (event.value("ph", "") == "X") {
      const long long start = event["ts"].get<long long>();
      by_thread[event["tid"].get<int>()].push_back({start, start + event["dur"].get<long long>()});
    }
  }
  std::vector<std::string> problems;
  for (auto& [tid, events] : by_thread) {
    // Outer before inner: by start, then the longer first.
    std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : a.second > b.second;
    });
    std::vector<long long> open_ends;
    for (const auto& [start, end] : events) {
      while (!open_ends.empty() && open_ends.back() <= start) {
        open_ends.pop_back();
      }
      if (!open_ends.empty() && end > open_ends.back()) {
        problems.push_back("thread " + std::to_string(tid) + ": [" + std::to_string(start) + ", " +
                           std::to_string(end) + "] overlaps an event ending at " +
                           std::to_string(open_ends.back()));
      }
      open_ends.push_back(end);
    }
  }
  return problems;
}

// The names of the thread_name metadata events, by tid.
inline std::map<int, std::string> trace_thread_names(const nlohmann::json& document)
{
  std::map<int, std::string> names;
  for (const auto& event : document["traceEvents"]) {
    if (event.value("ph", "") == "M" && event.value("name", "") == "thread_name") {
      names[event["tid"].get<int>()] = event["args"]["name"].get<std::string>();
    }
  }
  return names;
}

// The names of the complete events of category "test".
inline std::multiset<std::string> trace_test_names(const nlohmann::json& document)
{
  std::multiset<std::string> names;
  for (const auto& event : document["traceEvents"]) {
    if (event.value("ph", "") == "X" && event.value("cat", "") == "test") {
      names.insert(event["name"].get<std::string>());
    }
  }
  return names;
}

}  // namespace orchestrate::testing
