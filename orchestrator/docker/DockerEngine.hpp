#pragma once

#include "core/Quantities.hpp"
#include "docker/ContainerEvents.hpp"
#include "docker/EngineEndpoint.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// One host binding of a container port, as the engine reports it.
struct PortBinding
{
  int container_port = 0;
  std::string protocol;  // "tcp", "udp", "sctp"
  std::string host_ip;   // "127.0.0.1", "0.0.0.0", "::", ... ("" is read as "0.0.0.0")
  int host_port = 0;
};

// A container as listed by GET /containers/json (all=true).
struct ContainerSummary
{
  std::string id;
  std::string name;                           // without the leading '/'
  std::string state;                          // "running", "exited", "created", ...
  std::string health;                         // "healthy", "unhealthy", "starting" or "" (no check)
  std::map<std::string, std::string> labels;
  // Published ports: container port (tcp) -> the host port that the engine's address (127.0.0.1
  // for a local engine) reaches: the binding on that address, else the one on 0.0.0.0. An IPv6-only binding ([::]) or one on another address
  // is never chosen: on engine 20.10 `ports: ["5432"]` binds 0.0.0.0 and [::] to two different
  // host ports, and the [::] one's number may be another container's IPv4 port.
  std::map<int, int> published_tcp_ports;
  std::vector<PortBinding> port_bindings;  // every binding, as reported
  std::optional<int> exit_code;            // of an exited container, when the engine says
  std::string restart_policy;              // HostConfig.RestartPolicy.Name; inspect only
  std::string image;                       // the image as the container was created from; list only
  std::string image_id;                    // "sha256:..."; list only
  // Inspect only (empty from a listing): its RestartCount, the healthcheck's test as configured
  // (Config.Healthcheck: ["CMD", argv...], ["CMD-SHELL", command] or ["NONE"]) and its timeout,
  // and the container's IPv4 address on each of its networks. EarlyHealthProbe runs the check
  // itself from these.
  bool inspected = false;
  int restart_count = 0;  // how often the engine restarted it (its restart policy)
  std::vector<std::string> health_test;
  Milliseconds health_timeout{0};  // 0: the engine's default (30 s)
  std::vector<std::string> network_addresses;
};

// What a command run inside a container did (DockerEngine::exec_in_container).
struct ExecOutcome
{
  int exit_code = -1;      // -1 when it did not finish within the timeout
  bool timed_out = false;
  std::string output;      // stdout and stderr, interleaved as the engine sent them
};

// How a container ended, from GET /containers/{id}/json's State (see ServiceDeath.hpp).
struct ContainerEnding
{
  std::string status;        // State.Status: "exited", "dead", "running", ...
  int exit_code = 0;         // State.ExitCode
  bool oom_killed = false;   // State.OOMKilled
  std::string finished_at;   // State.FinishedAt, RFC 3339 with nanoseconds, UTC
};

// The host port of `bindings` that 127.0.0.1 reaches for tcp `container_port`, chosen as
// ContainerSummary::published_tcp_ports says; nullopt when there is none. Throws nothing.
std::optional<int> loopback_host_port(const std::vector<PortBinding>& bindings,
                                      int container_port);

// Whether a connection to 127.0.0.1 reaches a binding on `host_ip` ("127.0.0.1", "0.0.0.0", "").
bool loopback_reaches(const std::string& host_ip);

// The same for an engine whose ports the tests reach at `address` (its EngineEndpoint::address):
// a binding on that address, or on every interface.
bool address_reaches(const std::string& host_ip, const std::string& address);
std::optional<int> host_port_at(const std::vector<PortBinding>& bindings, int container_port,
                                const std::string& address);

struct NetworkSummary
{
  std::string id;
  std::string name;
  std::map<std::string, std::string> labels;
};

struct VolumeSummary
{
  std::string name;
  std::map<std::string, std::string> labels;
};

struct EngineTransport;

// A client of the Docker Engine API, with libcurl and nlohmann::json, over a unix socket, tcp://
// (plain HTTP, or HTTPS with client certificates) or ssh:// (through an SshDialer's socket, which
// the engine object owns, shared by its copies). The API version is negotiated once from /_ping:
// the engine's Api-Version, capped at 1.41, which this client is written for (1.41 when not
// reported).
//
// Every call throws EnvironmentError when the engine does not answer (the message says how to start
// one), and InternalError on an unexpected HTTP status (message: method, path, status, body).
// Safe to use from several threads: each call uses its own curl handle.
class DockerEngine
{
public:
  // The default engine (default_engine_endpoint: DOCKER_HOST, DOCKER_CONTEXT, the docker CLI's
  // current context, else the local socket). Does not connect yet. Throws EnvironmentError for a
  // DOCKER_HOST scheme other than unix://, tcp:// or ssh:// (fd://, npipe://, ...).
  DockerEngine();
  // `socket_path` is a path, "unix:///path", "tcp://host:port" or "ssh://[user@]host[:port]".
  explicit DockerEngine(std::string socket_path);
  // The engine `endpoint` describes. Does not connect yet (an ssh:// engine starts listening on
  // its private socket). Throws UsageError for TLS files on another scheme than tcp://,
  // EnvironmentError when an ssh:// engine's socket cannot be made.
  explicit DockerEngine(const EngineEndpoint& endpoint);

  // What curl connects to: the socket path (an ssh:// engine's private socket), or
  // "tcp://host:port". Also the key of the engine's outage tally (EngineOutages.hpp).
  const std::string& socket_path() const;

  // The endpoint this engine was made from (name, host as configured, address, budget).
  const EngineEndpoint& endpoint() const;

  // Where the tests reach ports this engine publishes: 127.0.0.1 for a local engine.
  const std::string& address() const;

  // The variables that point a docker CLI child (`docker compose`) at this same engine:
  // DOCKER_HOST (for ssh://, the private socket), DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for TLS,
  // and DOCKER_CONTEXT cleared.
  std::map<std::string, std::string> client_environment() const;

  // The negotiated API version, e.g. "1.41". Throws as every call below does.
  std::string api_version();

  // GET /_ping. True when the engine answered OK within `timeout`; never throws.
  bool ping(Milliseconds timeout = Milliseconds(2000));

  // Engine version string from GET /version, e.g. "20.10.24+dfsg1".
  std::string server_version();

  // Docker's data root (GET /info: DockerRootDir), for the disk check.
  std::string docker_root_dir();

  // The memory of the engine's host in bytes (GET /info: MemTotal); 0 when not reported.
  std::uint64_t memory_total();

  // The CPUs of the engine's host (GET /info: NCPU); 0 when not reported.
  int cpu_count();

  // The engine's own identity (GET /info: ID), the same whichever address reaches it.
  std::string engine_id();

  // Lists by label filters: each entry is "key" or "key=value" (all must match).
  std::vector<ContainerSummary> list_containers(const std::vector<std::string>& label_filters);
  std::vector<NetworkSummary> list_networks(const std::vector<std::string>& label_filters);
  std::vector<VolumeSummary> list_volumes(const std::vector<std::string>& label_filters);

  // GET /containers/{id}/json: the health status ("healthy", ... or "" without a healthcheck) and
  // state. Returns nullopt when the container no longer exists.
  std::optional<ContainerSummary> inspect_container(const std::string& id);

  // GET /containers/{id}/json: how the container ended (or that it runs). nullopt when it no
  // longer exists.
  std::optional<ContainerEnding> container_ending(const std::string& id);

  // The last `tail` lines of a container's stdout+stderr (demultiplexed), for readiness errors.
  std::string container_logs(const std::string& id, int tail = 50);

  // Current memory usage in bytes of a running container (GET /containers/{id}/stats?stream=false,
  // memory_stats.usage minus the inactive file cache, as `docker stats` shows it). nullopt when
  // not running.
  std::optional<std::uint64_t> container_memory_usage(const std::string& id);

  // Removals. Each returns true when removed or already gone (404), false when the engine refused
  // (e.g. 409 network in use); never throws for 404/409.
  bool remove_container(const std::string& id);  // force=true, v=true
  bool remove_network(const std::string& id);
  bool remove_volume(const std::string& name);    // force=true

  // GET /images/{name}/json: the image's id ("sha256:..."), nullopt when there is no such image.
  std::optional<std::string> image_id(const std::string& name);

  // Runs `argv` inside running container `id` (POST /containers/{id}/exec, then /exec/{id}/start
  // attached, then GET /exec/{id}/json for the exit code), bounded by `timeout`. Throws as every
  // call does, and InternalError when the container is not running.
  ExecOutcome exec_in_container(const std::string& id, const std::vector<std::string>& argv,
                                Milliseconds timeout);

  // Subscribes to GET /events filtered by type=container, the label filters and, unless empty, the
  // actions ("start", "die", ...; "health_status" covers every health status). Returns once the
  // engine has accepted the subscription; the stream also replays the matching events of the
  // current second, so nothing that happens after this call is missed. Throws EnvironmentError
  // when the engine does not accept it within the connect timeout.
  ContainerEventStream open_container_events(const std::vector<std::string>& label_filters,
                                             const std::vector<std::string>& actions = {});

  // Streams GET /events filtered by type=container and the label filters, calling `on_event` for
  // each event, until `stop` becomes true (checked at least every 200 ms) or `on_event` returns
  // false. Throws EnvironmentError if the engine stops answering.
  void watch_container_events(const std::vector<std::string>& label_filters,
                              const std::function<bool(const ContainerEvent&)>& on_event,
                              const std::atomic<bool>& stop);

private:
  struct ApiNegotiation;

  // "/v1.41": negotiates the version on first use (GET /_ping), then returns the cached one.
  const std::string& api_prefix();

  EngineEndpoint m_endpoint;
  // Shared by copies: an ssh:// engine's dialer lives as long as any copy does.
  std::shared_ptr<const EngineTransport> m_transport;
  // Shared so that copies of an engine negotiate once and stay copyable; thread-safe inside.
  std::shared_ptr<ApiNegotiation> m_api;
};

// The message used whenever the engine does not answer: what was tried and how to start one.
std::string engine_unavailable_message(const std::string& socket_path);

}  // namespace orchestrate
