#pragma once

#include "config/EngineConfig.hpp"

#include <curl/curl.h>

#include <memory>
#include <optional>
#include <string>

// Internal to orchestrator/docker: the curl handle setup that DockerEngine and the event stream
// share. Kept out of DockerEngine.hpp so that users of the engine do not see curl.

namespace orchestrate {

class SshDialer;

// A curl share of open connections, so that requests to one engine reuse its connections
// (HTTP/1.1 keep-alive) instead of opening one each. Used for ssh:// engines, where a connection
// is an ssh session. Thread-safe (curl's lock callbacks, one mutex per kind of shared data).
class CurlConnectionShare
{
public:
  CurlConnectionShare();
  ~CurlConnectionShare();
  CurlConnectionShare(const CurlConnectionShare&) = delete;
  CurlConnectionShare& operator=(const CurlConnectionShare&) = delete;

  CURLSH* get() const
  {
    return m_share;
  }

private:
  struct Locks;
  CURLSH* m_share = nullptr;
  std::unique_ptr<Locks> m_locks;
};

struct CurlEasyDeleter
{
  void operator()(CURL* handle) const
  {
    curl_easy_cleanup(handle);
  }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

// How requests reach one engine: what curl connects to, and with which certificates.
struct EngineTransport
{
  std::string name;       // the engine's name, for messages
  std::string host;       // as configured: unix:///p, tcp://h:p, ssh://u@h:p
  // What curl connects to: a unix socket path (for ssh://, the dialer's socket) or tcp://host:port.
  std::string endpoint;
  std::optional<TlsFiles> tls;  // tcp:// with client certificates: https
  std::shared_ptr<SshDialer> ssh;  // ssh:// only: keeps the dialer's socket open
  // ssh:// only: every ssh session costs a handshake and a remote `docker` start, so
  // connections are kept and reused. Declared after `ssh`: destroyed (connections closed) first.
  std::shared_ptr<CurlConnectionShare> connections;
};

// A handle for one `method` request to `path` on `transport`, with the connect timeout set and no
// overall timeout; the caller performs it. curl handles are not shared between threads, so each
// request makes its own. Throws InternalError if curl cannot make one.
CurlEasy make_engine_handle(const EngineTransport& transport, const char* method,
                            const std::string& path);

// Whether a failed request of `code` means that nothing answers at the engine: refused on a unix
// socket or tcp; for ssh:// also a connection that ssh closed without an answer (the ssh child
// could not reach the host, or `docker system dial-stdio` found no engine there).
bool engine_unanswered(const EngineTransport& transport, CURLcode code);

// The message used whenever the engine of `transport` does not answer.
std::string transport_unavailable_message(const EngineTransport& transport);

}  // namespace orchestrate
