#pragma once

#include "core/Quantities.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace orchestrate {

struct EngineTransport;

// One event from GET /events (type container), as much as readiness and the reaper need.
struct ContainerEvent
{
  std::string container_id;
  std::string action;  // "create", "start", "die", "health_status: healthy", ...
  std::map<std::string, std::string> labels;  // the container's labels (Actor.Attributes)
};

// An open subscription to the engine's container events, read one event at a time with a bounded
// wait, so that the reader checks its own deadline and stop flags between reads instead of handing
// its thread to a callback. DockerEngine::open_container_events makes one; destroying it ends the
// subscription. Move-only; one thread at a time.
class ContainerEventStream
{
public:
  // Sends GET `path` (an /events query) to the engine of `transport` and
  // returns once the engine has answered 200, that is, accepted the subscription. Throws
  // EnvironmentError when the engine does not answer within `open_timeout`, InternalError (with the
  // status and body) when it answers anything but 200.
  ContainerEventStream(std::shared_ptr<const EngineTransport> transport, std::string path,
                       Milliseconds open_timeout);
  ~ContainerEventStream();

  ContainerEventStream(ContainerEventStream&& other) noexcept;
  ContainerEventStream& operator=(ContainerEventStream&& other) noexcept;

  // The next event in the engine's order, waiting at most `max_wait` for one to arrive; nullopt
  // when none did. Never busy-waits: it sleeps on the socket. Throws InternalError for a malformed
  // event, and EnvironmentError once the engine has closed the stream (after the events it sent
  // before closing).
  std::optional<ContainerEvent> next(Milliseconds max_wait);

private:
  struct Transfer;
  std::unique_ptr<Transfer> m_transfer;
};

}  // namespace orchestrate
