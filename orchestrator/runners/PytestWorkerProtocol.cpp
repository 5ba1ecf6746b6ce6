#include "runners/PytestWorkerProtocol.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace orchestrate {

namespace {

using Json = nlohmann::json;

std::string string_field(const Json& object, const char* key)
{
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// The strings of an array field; nullopt when the field is missing, not an array or holds
// anything but strings.
std::optional<std::vector<std::string>> strings_field(const Json& object, const char* key)
{
  const auto found = object.find(key);
  if (found == object.end() || !found->is_array()) {
    return std::nullopt;
  }
  std::vector<std::string> values;
  values.reserve(found->size());
  for (const auto& value : *found) {
    if (!value.is_string()) {
      return std::nullopt;
    }
    values.push_back(value.get<std::string>());
  }
  return values;
}

std::optional<PytestWorkerMessage> parse_collected(const Json& object)
{
  auto ids = strings_field(object, "ids");
  if (!ids) {
    return std::nullopt;
  }
  PytestWorkerMessage message;
  message.kind = PytestWorkerMessage::Kind::k_collected;
  message.ids = std::move(*ids);
  if (const auto errors = object.find("errors"); errors != object.end() && errors->is_array()) {
    for (const auto& error : *errors) {
      if (error.is_object()) {
        message.collection_errors.push_back(
          {string_field(error, "nodeid"), string_field(error, "longrepr")});
      }
    }
  }
  return message;
}

}  // namespace

std::optional<PytestWorkerMessage> parse_worker_message(std::string_view line)
{
  const Json object = Json::parse(line, nullptr, false);
  if (!object.is_object()) {
    spdlog::debug("ignoring a pytest worker line that is not a JSON object: {}", line);
    return std::nullopt;
  }
  const std::string event = string_field(object, "event");
  if (event == "collected") {
    return parse_collected(object);
  }
  PytestWorkerMessage message;
  if (event == "not_found") {
    message.kind = PytestWorkerMessage::Kind::k_not_found;
    message.nodeid = string_field(object, "nodeid");
    return message.nodeid.empty() ? std::nullopt : std::optional(std::move(message));
  }
  if (event == "stale") {
    message.kind = PytestWorkerMessage::Kind::k_stale;
    message.reason = string_field(object, "reason");
    return message;
  }
  if (event == "need_more") {
    message.kind = PytestWorkerMessage::Kind::k_need_more;
    const auto queued = object.find("queued");
    if (queued != object.end() && queued->is_number_unsigned()) {
      message.queued = queued->get<std::size_t>();
    }
    return message;
  }
  // start, result and finish are the progress plugin's lines: one parser for both.
  auto progress = parse_progress_lines(line);
  if (progress.size() != 1) {
    spdlog::debug("ignoring a pytest worker line that is not an event: {}", line);
    return std::nullopt;
  }
  message.kind = PytestWorkerMessage::Kind::k_progress;
  message.progress = std::move(progress.front());
  message.output = string_field(object, "output");
  return message;
}

std::string worker_run_command(const std::vector<std::string>& ids)
{
  // Replacing invalid UTF-8 keeps this from throwing; collected ids are valid anyway.
  return Json{{"command", "run"}, {"ids", ids}}.dump(-1, ' ', false,
                                                     Json::error_handler_t::replace) +
         "\n";
}

std::string worker_shutdown_command()
{
  return Json{{"command", "shutdown"}}.dump() + "\n";
}

std::string worker_flush_command()
{
  return Json{{"command", "flush"}}.dump() + "\n";
}

std::string worker_environment_command(const std::map<std::string, std::string>& variables)
{
  return Json{{"command", "environment"}, {"set", variables}}.dump() + "\n";
}

std::string worker_adopt_command(const std::string& log,
                                 const std::map<std::string, std::string>& variables)
{
  return Json{{"command", "adopt"}, {"log", log}, {"set", variables}}.dump(
           -1, ' ', false, Json::error_handler_t::replace) +
         "\n";
}

}  // namespace orchestrate
