#pragma once

// Checks a Chrome trace-event document against what the format requires (the "JSON Object
// Format" of the Trace Event Format document), for the tests of --trace.

#include <nlohmann/json.hpp>

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
