#pragma once

// A second Docker engine of a test's own, beside the machine's, as /work/shared/MACHINE.md "More
// engines on one machine" describes: its own network namespace joined to the host by a veth
// pair, its own bridge in there, data root, exec root, pidfile and unix socket (all in a temp
// dir), `--iptables=false`, its own containerd namespaces. Never `--bridge none` (dockerd would
// delete the host's docker0), and nothing here ever touches docker0 or the main engine.

#include "support/TempDir.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace orchestrate {

// The kernel lacks what an extra engine needs (network namespaces, veth pairs, bridges). Tests
// skip with its message: never silently.
class ExtraEngineUnsupported : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

// Owns the engine and everything set up for it: the destructor stops the engine (removing its
// containers first, so no stop grace period is waited for), kills whatever of it is left (its
// containers' processes, found by the container ids in its own data root, and any process still
// in its network namespace), unmounts what it left mounted in its temp dir, deletes the network
// namespace (with the veth pair and the bridge) and the temp dir. Names and addresses are unique
// to each object, so tests never clash. Not copyable, not movable.
// How an extra engine is reached besides its unix socket.
struct ExtraEngineOptions
{
  // Also listen on tcp://<address>:2376 with --tlsverify, with a CA, a server certificate (for
  // the address) and a client certificate made with openssl in the engine's temp dir.
  bool tls = false;
  // Publish ports as a remote engine does: with docker-proxy (the userland proxy) listening on
  // the engine's address. Without it, published ports are only allocated, not reachable.
  bool reachable_ports = false;
};

class ExtraEngine
{
public:
  // Sets up the namespace, veth pair and bridge, then starts the engine and waits (up to 30 s)
  // until it answers. Throws ExtraEngineUnsupported when a kernel feature is missing,
  // std::runtime_error when anything else fails (dockerd's log in the message); what was set up
  // is taken down again.
  explicit ExtraEngine(ExtraEngineOptions options = {});
  ~ExtraEngine();

  ExtraEngine(const ExtraEngine&) = delete;
  ExtraEngine& operator=(const ExtraEngine&) = delete;

  // "unix:///tmp/orchestrate-test-XXXXXX/docker.sock": DOCKER_HOST for a client of this engine.
  std::string docker_host() const;
  std::filesystem::path socket_path() const;
  // With options.tls: "tcp://<address>:2376", and the folder holding the client's ca.pem,
  // cert.pem and key.pem (as DOCKER_CERT_PATH wants them).
  std::string tls_host() const;
  std::filesystem::path client_cert_dir() const;
  // The namespace's end of the veth pair: ports published on this engine live at this address.
  const std::string& address() const
  {
    return m_address;
  }
  // The names given to the kernel, for a test to check that none of them is left afterwards.
  const std::string& netns_name() const
  {
    return m_netns;
  }
  const std::string& host_veth_name() const
  {
    return m_host_veth;
  }
  const std::filesystem::path& root() const
  {
    return m_dir.path();
  }
  // The running dockerd's pid; 0 while it is not running.
  int dockerd_pid() const
  {
    return m_dockerd_pid;
  }

  // Copies images from the main engine (`docker save`, then `docker load` into this one).
  // Throws std::runtime_error when either fails.
  void load_images(const std::vector<std::string>& images);

  // Kills dockerd with SIGKILL, as a crash would, and makes sure its containerd is gone too;
  // the containers and their shims keep running. No-op when not running.
  void kill_engine();

  // Starts dockerd (again) on the same data root and waits until it answers; as dockerd does
  // without live-restore, it then stops whatever containers were left running. A dockerd that
  // exits at start (a loaded machine: its containerd was slow) is started again, 3 times at most.
  // Throws std::runtime_error when it does not answer within 60 s.
  void start_engine();

  // Removes every container of this engine, then stops dockerd (SIGTERM, SIGKILL after 30 s).
  // Never throws.
  void stop_engine() noexcept;

  // True when the engine answers a ping within a second.
  bool answers() const;

private:
  // dockerd exited before it answered (its log says why).
  class DockerdExitedAtStart : public std::runtime_error
  {
  public:
    using std::runtime_error::runtime_error;
  };

  void set_up_network();
  void make_certificates();
  void start_dockerd();
  // Kills a containerd of this engine that outlived its dockerd, waiting until it is gone.
  void end_engine_processes() noexcept;
  void tear_down() noexcept;
  void kill_leftover_processes() noexcept;
  void unmount_leftovers() noexcept;
  std::string read_log_tail() const;

  TempDir m_dir;  // first member: removed last
  ExtraEngineOptions m_options;
  std::string m_id;
  std::string m_netns;
  std::string m_host_veth;
  std::string m_peer_veth;
  std::string m_bridge;
  std::string m_host_address;
  std::string m_address;
  bool m_netns_created = false;
  int m_dockerd_pid = 0;
};

}  // namespace orchestrate
