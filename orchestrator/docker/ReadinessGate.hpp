#pragma once

#include "config/SuiteConfig.hpp"
#include "core/Error.hpp"
#include "docker/DockerEngine.hpp"

#include <map>
#include <string>
#include <vector>

namespace orchestrate {

// Where a fixture's service can be reached from the host once it is ready.
struct ReadyEndpoint
{
  std::string host = "127.0.0.1";
  int port = 0;  // the host port published for the fixture's container port
};

// A stack did not become ready: says which service, why, and carries its recent logs.
class StackNotReadyError : public InternalError
{
public:
  explicit StackNotReadyError(const std::string& message) : InternalError(message)
  {
  }
};

// Decides when a stack's fixtures are ready, judged by orchestrate itself (compose's `up --wait`
// exit code is not trusted: it can report success after its deadline). Event-driven over the
// Engine API: it subscribes to the stack's container events (start, health_status, die, destroy;
// filtered by io.orchestrate.stack), then lists the stack's containers once, so a container that
// was healthy before the subscription is seen too, and afterwards inspects a container only when
// an event of its own arrives. No process is spawned and nothing is polled, except what no event
// announces: a `port` fixture's TCP connect and a `log_line` fixture's logs, every 100 ms, and a
// starting `health` fixture's own healthcheck, run by EarlyHealthProbe once the service listens
// (ready then, without waiting up to an interval for the engine's next run of the check).
class ReadinessGate
{
public:
  ReadinessGate(DockerEngine& engine, std::string stack_name);

  // Blocks until every fixture is ready and every service of `one_shot_services` has completed
  // (its container exited 0, as compose's `service_completed_successfully`), returning each
  // fixture's endpoint by fixture name. Throws StackNotReadyError (with the service's last log
  // lines) when a fixture's service exits or turns unhealthy, a one-shot service exits non-zero,
  // or not everything is ready within `timeout`; Error(k_interrupted) on Ctrl-C.
  std::map<std::string, ReadyEndpoint> wait(const std::vector<FixtureConfig>& fixtures,
                                            Milliseconds timeout,
                                            const std::vector<std::string>& one_shot_services = {});

private:
  DockerEngine& m_engine;
  std::string m_stack_name;
};

// How a stopped container ended, for messages: "exit code 1", or that the engine reports it dead.
std::string exit_description(const ContainerSummary& container);

// True when a TCP connection to host:port succeeds within `timeout`.
bool tcp_port_accepts(const std::string& host, int port, Milliseconds timeout);

// Replaces {host} and {port} in a fixture's environment values.
std::map<std::string, std::string> fixture_environment(const FixtureConfig& fixture,
                                                       const ReadyEndpoint& endpoint);

}  // namespace orchestrate
