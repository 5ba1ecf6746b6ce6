#include "docker/ContainerEvents.hpp"

#include "core/Error.hpp"
#include "docker/DockerEngine.hpp"
#include "docker/EngineHandle.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <exception>
#include <string_view>

namespace orchestrate {

using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

// While opening, how long one wait on the socket may last before the deadline is looked at again.
constexpr Milliseconds k_open_poll_interval(100);

std::string string_at(const json& object, const char* key)
{
  if (!object.is_object()) {
    return {};
  }
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

ContainerEvent event_from_json(const json& message)
{
  ContainerEvent event;
  event.action = string_at(message, "Action");
  const auto actor = message.find("Actor");
  if (actor == message.end() || !actor->is_object()) {
    return event;
  }
  event.container_id = string_at(*actor, "ID");
  const auto attributes = actor->find("Attributes");
  if (attributes != actor->end() && attributes->is_object()) {
    for (const auto& [key, value] : attributes->items()) {
      if (value.is_string()) {
        event.labels[key] = value.get<std::string>();
      }
    }
  }
  return event;
}

// Rounded up, so that a wait never ends before the deadline it was given.
int milliseconds_until(Clock::time_point deadline)
{
  const auto left = std::chrono::ceil<Milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<long long>(left, 0));
}

}  // namespace

// The curl transfer and what it has received: whole events waiting to be read, an incomplete line.
struct ContainerEventStream::Transfer
{
  Transfer(std::shared_ptr<const EngineTransport> transport_, std::string path_)
    : transport(std::move(transport_)),
      endpoint(transport->endpoint),
      path(std::move(path_)),
      handle(make_engine_handle(*transport, "GET", path)),
      multi(curl_multi_init())
  {
    curl_easy_setopt(handle.get(), CURLOPT_WRITEFUNCTION, write_events);
    curl_easy_setopt(handle.get(), CURLOPT_WRITEDATA, this);
    // The multi interface, because curl_easy_perform would own the thread until the stream ends;
    // curl_multi_poll sleeps on the socket for as long as the reader allows.
    if (multi == nullptr || curl_multi_add_handle(multi, handle.get()) != CURLM_OK) {
      curl_multi_cleanup(multi);
      throw InternalError("cannot set up a curl multi handle for the Docker event stream");
    }
  }

  ~Transfer()
  {
    // curl requires the easy handle out of the multi handle before either is cleaned up.
    curl_multi_remove_handle(multi, handle.get());
    curl_multi_cleanup(multi);
  }

  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  static std::size_t write_events(char* data, std::size_t size, std::size_t count, void* target)
  {
    auto* transfer = static_cast<Transfer*>(target);
    try {
      transfer->consume(std::string_view(data, size * count));
      return size * count;
    } catch (...) {
      // An exception must not unwind through curl's C frames; returning 0 aborts the transfer.
      transfer->error = std::current_exception();
      return 0;
    }
  }

  // Splits newline-delimited JSON into events; an error answer's body is kept whole for its message.
  void consume(std::string_view data)
  {
    if (status == 0) {
      curl_easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &status);
    }
    pending.append(data);
    if (status != 200) {
      return;
    }
    std::size_t newline = 0;
    while ((newline = pending.find('\n')) != std::string::npos) {
      const std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      if (line.find_first_not_of(" \r\t") == std::string::npos) {
        continue;
      }
      const json message = json::parse(line, nullptr, false);
      if (message.is_discarded()) {
        throw InternalError("Docker engine: malformed event on the event stream: " + line);
      }
      if (string_at(message, "Type") == "container") {
        events.push_back(event_from_json(message));
      }
    }
  }

  // Moves whatever the socket holds into `events` without waiting; notes the end of the transfer.
  void perform()
  {
    int running = 0;
    if (curl_multi_perform(multi, &running) != CURLM_OK) {
      throw InternalError("curl_multi_perform failed on the Docker event stream");
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg == CURLMSG_DONE) {
        finished = true;
        result = message->data.result;
      }
    }
    if (status == 0) {
      curl_easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &status);
    }
  }

  // Sleeps until the socket has something for curl or `milliseconds` pass.
  void wait(int milliseconds)
  {
    if (curl_multi_poll(multi, nullptr, 0, milliseconds, nullptr) != CURLM_OK) {
      throw InternalError("curl_multi_poll failed on the Docker event stream");
    }
  }

  [[noreturn]] void throw_ended() const
  {
    if (error) {
      std::rethrow_exception(error);
    }
    if (result != CURLE_OK) {
      throw EnvironmentError(transport_unavailable_message(*transport) + " (curl: " +
                             curl_easy_strerror(result) + ")");
    }
    if (status != 200) {
      throw InternalError("Docker engine: GET " + path + " answered HTTP " +
                          std::to_string(status) + ": " + pending);
    }
    throw EnvironmentError("the Docker engine at " + endpoint + " closed the event stream");
  }

  std::shared_ptr<const EngineTransport> transport;
  std::string endpoint;
  std::string path;
  CurlEasy handle;
  CURLM* multi = nullptr;
  long status = 0;            // the HTTP status, 0 until the engine answered
  std::string pending;        // an incomplete line, or the body of an error answer
  std::deque<ContainerEvent> events;
  std::exception_ptr error;   // thrown while consuming: rethrown outside curl
  bool finished = false;
  CURLcode result = CURLE_OK;
};

ContainerEventStream::ContainerEventStream(std::shared_ptr<const EngineTransport> transport,
                                           std::string path, Milliseconds open_timeout)
  : m_transfer(std::make_unique<Transfer>(std::move(transport), std::move(path)))
{
  Transfer& transfer = *m_transfer;
  const auto deadline = Clock::now() + open_timeout;
  // The engine flushes its headers as soon as it takes the request; an error answer also ends the
  // transfer, so that its body can go into the message.
  while (true) {
    transfer.perform();
    if (transfer.error || transfer.finished || transfer.status == 200) {
      break;
    }
    if (Clock::now() >= deadline) {
      throw EnvironmentError("the Docker engine at " + transfer.endpoint +
                             " did not answer GET " + transfer.path + " within " +
                             format_seconds(open_timeout));
    }
    transfer.wait(std::min(milliseconds_until(deadline), int(k_open_poll_interval.count())));
  }
  if (transfer.status != 200) {
    transfer.throw_ended();
  }
  spdlog::debug("docker: GET {} -> 200, streaming", transfer.path);
}

ContainerEventStream::~ContainerEventStream() = default;
ContainerEventStream::ContainerEventStream(ContainerEventStream&& other) noexcept = default;
ContainerEventStream& ContainerEventStream::operator=(ContainerEventStream&& other) noexcept =
  default;

std::optional<ContainerEvent> ContainerEventStream::next(Milliseconds max_wait)
{
  Transfer& transfer = *m_transfer;
  const auto deadline = Clock::now() + max_wait;
  while (true) {
    if (!transfer.events.empty()) {
      ContainerEvent event = std::move(transfer.events.front());
      transfer.events.pop_front();
      return event;
    }
    if (transfer.error || transfer.finished) {
      transfer.throw_ended();
    }
    const int left = milliseconds_until(deadline);
    if (left == 0) {
      return std::nullopt;
    }
    transfer.wait(left);
    transfer.perform();
  }
}

}  // namespace orchestrate
