#include "docker/DockerEngine.hpp"

#include "core/Error.hpp"
#include "docker/EngineHandle.hpp"
#include "docker/EngineOutages.hpp"
#include "docker/SshDialer.hpp"
#include "process/EnvironmentVariables.hpp"

#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <thread>
#include <unistd.h>

namespace orchestrate {

using nlohmann::json;

namespace {

constexpr std::string_view k_unix_scheme = "unix://";
constexpr const char* k_loopback = "127.0.0.1";
constexpr std::string_view k_tcp_scheme = "tcp://";
// The API this client is written for: Debian 12's engine 20.10 serves it, newer engines still do.
constexpr int k_client_api_minor = 41;
constexpr Milliseconds k_connect_timeout(5000);
// Bounds every call but the event stream, so that teardown never blocks without a bound.
constexpr Milliseconds k_request_timeout(30000);
// How long a watch waits on the event stream before it looks at its stop flag again.
constexpr Milliseconds k_stop_poll_interval(100);

struct CurlFreeDeleter
{
  void operator()(char* text) const
  {
    curl_free(text);
  }
};

struct HttpResponse
{
  long status = 0;
  std::string body;
  std::string api_version;  // the Api-Version header, if any
};

void initialize_curl_once()
{
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw InternalError("curl_global_init failed");
    }
  });
}

bool is_tcp(const std::string& endpoint)
{
  return endpoint.starts_with(k_tcp_scheme);
}

// "unix:///p" -> "/p"; "tcp://host:port" and plain paths stay as they are.
std::string normalize_endpoint(const std::string& host)
{
  if (host.starts_with(k_unix_scheme)) {
    return host.substr(k_unix_scheme.size());
  }
  return host;
}

std::string base_url(const EngineTransport& transport)
{
  if (is_tcp(transport.endpoint)) {
    return (transport.tls ? "https://" : "http://") +
           transport.endpoint.substr(k_tcp_scheme.size());
  }
  // The host name is ignored on a unix socket, but HTTP/1.1 needs one.
  return "http://localhost";
}

std::string url_escape(const std::string& text)
{
  std::unique_ptr<char, CurlFreeDeleter> escaped(
    curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size())));
  if (!escaped) {
    throw InternalError("curl_easy_escape failed");
  }
  return escaped.get();
}

// "filters=<url-escaped {"type":[...],"event":[...],"label":[...]}>", or "" when there is nothing
// to filter.
std::string filters_query(const std::vector<std::string>& label_filters,
                          const std::vector<std::string>& types = {},
                          const std::vector<std::string>& events = {})
{
  json filters = json::object();
  if (!types.empty()) {
    filters["type"] = types;
  }
  if (!events.empty()) {
    filters["event"] = events;
  }
  if (!label_filters.empty()) {
    filters["label"] = label_filters;
  }
  return filters.empty() ? std::string() : "filters=" + url_escape(filters.dump());
}

std::string with_query(const std::string& path, const std::string& query)
{
  return query.empty() ? path : path + (path.find('?') == std::string::npos ? "?" : "&") + query;
}

std::size_t append_to_string(char* data, std::size_t size, std::size_t count, void* target)
{
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

std::size_t read_api_version_header(char* data, std::size_t size, std::size_t count, void* target)
{
  const std::string_view line(data, size * count);
  constexpr std::string_view name = "api-version:";
  if (line.size() > name.size()) {
    std::string lowered(line.substr(0, name.size()));
    for (char& c : lowered) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (lowered == name) {
      std::string value(line.substr(name.size()));
      const auto first = value.find_first_not_of(" \t");
      const auto last = value.find_last_not_of(" \t\r\n");
      *static_cast<std::string*>(target) =
        first == std::string::npos ? std::string() : value.substr(first, last - first + 1);
    }
  }
  return size * count;
}

[[noreturn]] void throw_unreachable(const EngineTransport& transport, CURLcode code)
{
  if (engine_unanswered(transport, code)) {
    // Nothing listens (killed, restarting, stopped): the engine is gone. A slow answer or a
    // dropped connection is not counted; an engine that went away refuses the next request.
    note_engine_unanswered(transport.endpoint);
  }
  throw EnvironmentError(transport_unavailable_message(transport) + " (curl: " +
                         curl_easy_strerror(code) + ")");
}

[[noreturn]] void throw_unexpected_status(const char* method,
                                          const std::string& path,
                                          const HttpResponse& response)
{
  throw InternalError("Docker engine: " + std::string(method) + " " + path + " answered HTTP " +
                      std::to_string(response.status) + ": " + response.body);
}

// Performs one request. Throws EnvironmentError when the engine does not answer; any HTTP status
// is returned for the caller to judge.
HttpResponse perform(const EngineTransport& endpoint,
                     const char* method,
                     const std::string& path,
                     Milliseconds timeout = k_request_timeout)
{
  CurlEasy handle = make_engine_handle(endpoint, method, path);
  CURL* h = handle.get();
  HttpResponse response;
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, read_api_version_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.api_version);
  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    spdlog::debug("docker: {} {} failed: {}", method, path, curl_easy_strerror(code));
    throw_unreachable(endpoint, code);
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  spdlog::debug("docker: {} {} -> {}", method, path, response.status);
  return response;
}

// POSTs `body` (JSON) to `path`; as perform() otherwise.
HttpResponse perform_post(const EngineTransport& endpoint, const std::string& path,
                          const std::string& body, Milliseconds timeout = k_request_timeout)
{
  CurlEasy handle = make_engine_handle(endpoint, "POST", path);
  CURL* h = handle.get();
  HttpResponse response;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  const CURLcode code = curl_easy_perform(h);
  curl_slist_free_all(headers);
  if (code == CURLE_OPERATION_TIMEDOUT) {
    response.status = 0;  // the caller judges a timeout
    return response;
  }
  if (code != CURLE_OK) {
    spdlog::debug("docker: POST {} failed: {}", path, curl_easy_strerror(code));
    throw_unreachable(endpoint, code);
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  spdlog::debug("docker: POST {} -> {}", path, response.status);
  return response;
}

json parse_body(const char* method, const std::string& path, const HttpResponse& response)
{
  try {
    return json::parse(response.body);
  } catch (const json::exception& error) {
    throw InternalError("Docker engine: " + std::string(method) + " " + path +
                        " answered with invalid JSON (" + error.what() + "): " + response.body);
  }
}

// GET `path` and parse the JSON answer. nullopt for 404; any other status but 200 throws.
std::optional<json> get_json(const EngineTransport& endpoint, const std::string& path)
{
  const HttpResponse response = perform(endpoint, "GET", path);
  if (response.status == 404) {
    return std::nullopt;
  }
  if (response.status != 200) {
    throw_unexpected_status("GET", path, response);
  }
  return parse_body("GET", path, response);
}

json get_existing_json(const EngineTransport& endpoint, const std::string& path)
{
  std::optional<json> body = get_json(endpoint, path);
  if (!body) {
    throw_unexpected_status("GET", path, HttpResponse{404, "not found", ""});
  }
  return std::move(*body);
}

bool remove_resource(const EngineTransport& endpoint, const std::string& path)
{
  const HttpResponse response = perform(endpoint, "DELETE", path);
  if (response.status == 200 || response.status == 204 || response.status == 404) {
    return true;
  }
  // 409: in use or removal in progress; 403: a network with active endpoints (engine 20.10).
  if (response.status == 409 || response.status == 403) {
    spdlog::debug("docker: engine refused DELETE {}: {}", path, response.body);
    return false;
  }
  throw_unexpected_status("DELETE", path, response);
}

// Docker writes null for empty maps and arrays; these read members without caring.
const json& member(const json& object, const char* key)
{
  static const json null_value;
  if (!object.is_object()) {
    return null_value;
  }
  const auto found = object.find(key);
  return found == object.end() ? null_value : *found;
}

std::string string_member(const json& object, const char* key)
{
  const json& value = member(object, key);
  return value.is_string() ? value.get<std::string>() : std::string();
}

std::map<std::string, std::string> string_map(const json& object)
{
  std::map<std::string, std::string> result;
  if (object.is_object()) {
    for (const auto& [key, value] : object.items()) {
      if (value.is_string()) {
        result.emplace(key, value.get<std::string>());
      }
    }
  }
  return result;
}

std::string without_leading_slash(std::string name)
{
  return name.starts_with('/') ? name.substr(1) : name;
}

// /containers/json has no health field in API 1.41, only the Status text: "Up 5 seconds (healthy)".
std::string health_from_status_text(const std::string& status)
{
  for (const char* health : {"healthy", "unhealthy"}) {
    if (status.find("(" + std::string(health) + ")") != std::string::npos) {
      return health;
    }
  }
  return status.find("(health: starting)") != std::string::npos ? "starting" : "";
}

std::optional<int> parse_int(std::string_view text)
{
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// "Exited (137) 5 seconds ago" -> 137; nullopt for any other state.
std::optional<int> exit_code_from_status_text(const std::string& status)
{
  constexpr std::string_view k_exited = "Exited (";
  if (!status.starts_with(k_exited)) {
    return std::nullopt;
  }
  const auto close = status.find(')', k_exited.size());
  if (close == std::string::npos) {
    return std::nullopt;
  }
  return parse_int(std::string_view(status).substr(k_exited.size(), close - k_exited.size()));
}

void choose_reachable_ports(ContainerSummary& summary, const std::string& address)
{
  for (const auto& binding : summary.port_bindings) {
    if (summary.published_tcp_ports.count(binding.container_port) != 0) {
      continue;
    }
    if (const auto port = host_port_at(summary.port_bindings, binding.container_port, address)) {
      summary.published_tcp_ports[binding.container_port] = *port;
    }
  }
}

ContainerSummary summary_from_list_entry(const json& entry, const std::string& address)
{
  ContainerSummary summary;
  summary.id = string_member(entry, "Id");
  const json& names = member(entry, "Names");
  if (names.is_array() && !names.empty() && names.front().is_string()) {
    summary.name = without_leading_slash(names.front().get<std::string>());
  }
  summary.state = string_member(entry, "State");
  summary.health = health_from_status_text(string_member(entry, "Status"));
  summary.labels = string_map(member(entry, "Labels"));
  const json& ports = member(entry, "Ports");
  if (ports.is_array()) {
    for (const json& port : ports) {
      const json& private_port = member(port, "PrivatePort");
      const json& public_port = member(port, "PublicPort");
      if (private_port.is_number_integer() && public_port.is_number_integer()) {
        summary.port_bindings.push_back({private_port.get<int>(), string_member(port, "Type"),
                                         string_member(port, "IP"), public_port.get<int>()});
      }
    }
  }
  summary.exit_code = exit_code_from_status_text(string_member(entry, "Status"));
  summary.image = string_member(entry, "Image");
  summary.image_id = string_member(entry, "ImageID");
  choose_reachable_ports(summary, address);
  return summary;
}

ContainerSummary summary_from_inspect(const json& container, const std::string& address)
{
  ContainerSummary summary;
  summary.id = string_member(container, "Id");
  summary.name = without_leading_slash(string_member(container, "Name"));
  const json& state = member(container, "State");
  summary.state = string_member(state, "Status");
  summary.health = string_member(member(state, "Health"), "Status");
  summary.labels = string_map(member(member(container, "Config"), "Labels"));
  // {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "49153"}], "9000/tcp": null}
  const json& ports = member(member(container, "NetworkSettings"), "Ports");
  if (ports.is_object()) {
    for (const auto& [key, bindings] : ports.items()) {
      const auto slash = key.find('/');
      const std::optional<int> container_port = parse_int(std::string_view(key).substr(0, slash));
      if (!container_port || slash == std::string::npos || !bindings.is_array()) {
        continue;
      }
      for (const json& binding : bindings) {
        if (const std::optional<int> host_port = parse_int(string_member(binding, "HostPort"))) {
          summary.port_bindings.push_back(
            {*container_port, key.substr(slash + 1), string_member(binding, "HostIp"), *host_port});
        }
      }
    }
  }
  const json& exit_code = member(state, "ExitCode");
  if (summary.state == "exited" && exit_code.is_number_integer()) {
    summary.exit_code = exit_code.get<int>();
  }
  summary.restart_policy =
    string_member(member(member(container, "HostConfig"), "RestartPolicy"), "Name");
  summary.inspected = true;
  const json& restarts = member(container, "RestartCount");
  if (restarts.is_number_integer()) {
    summary.restart_count = restarts.get<int>();
  }
  const json& healthcheck = member(member(container, "Config"), "Healthcheck");
  const json& test = member(healthcheck, "Test");
  if (test.is_array()) {
    for (const json& word : test) {
      if (word.is_string()) {
        summary.health_test.push_back(word.get<std::string>());
      }
    }
  }
  // The engine reports durations in nanoseconds.
  const json& timeout = member(healthcheck, "Timeout");
  if (timeout.is_number_integer()) {
    summary.health_timeout = std::chrono::duration_cast<Milliseconds>(
      std::chrono::nanoseconds(timeout.get<std::int64_t>()));
  }
  const json& networks = member(member(container, "NetworkSettings"), "Networks");
  if (networks.is_object()) {
    for (const auto& [name, network] : networks.items()) {
      const std::string ip = string_member(network, "IPAddress");
      if (!ip.empty()) {
        summary.network_addresses.push_back(ip);
      }
    }
  }
  choose_reachable_ports(summary, address);
  return summary;
}

// The payload of a multiplexed log stream (frames of an 8-byte header [stream, 0, 0, 0, size as
// big-endian uint32] and the data), or nullopt when `body` is not exactly a sequence of such
// frames: then it is a TTY container's raw stream.
std::optional<std::string> demultiplex(std::string_view body)
{
  std::string payload;
  std::size_t offset = 0;
  while (offset < body.size()) {
    if (body.size() - offset < 8) {
      return std::nullopt;
    }
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(body[offset + i]); };
    if (byte(0) > 2 || byte(1) != 0 || byte(2) != 0 || byte(3) != 0) {
      return std::nullopt;
    }
    const std::size_t size = (std::size_t(byte(4)) << 24) | (std::size_t(byte(5)) << 16) |
                             (std::size_t(byte(6)) << 8) | std::size_t(byte(7));
    if (body.size() - offset - 8 < size) {
      return std::nullopt;
    }
    payload.append(body.substr(offset + 8, size));
    offset += 8 + size;
  }
  return payload;
}

// "1.43" -> the lower of it and 1.41; anything unreadable -> 1.41.
std::string negotiate_api_version(const std::string& engine_version)
{
  const std::string client_version = "1." + std::to_string(k_client_api_minor);
  const auto dot = engine_version.find('.');
  if (dot == std::string::npos) {
    return client_version;
  }
  const std::optional<int> major = parse_int(std::string_view(engine_version).substr(0, dot));
  const std::optional<int> minor = parse_int(std::string_view(engine_version).substr(dot + 1));
  if (!major || !minor || *major != 1 || *minor >= k_client_api_minor) {
    return client_version;
  }
  return engine_version;
}

}  // namespace

bool loopback_reaches(const std::string& host_ip)
{
  return address_reaches(host_ip, k_loopback);
}

bool address_reaches(const std::string& host_ip, const std::string& address)
{
  return host_ip == address || host_ip == "0.0.0.0" || host_ip.empty();
}

std::optional<int> loopback_host_port(const std::vector<PortBinding>& bindings,
                                      int container_port)
{
  return host_port_at(bindings, container_port, k_loopback);
}

std::optional<int> host_port_at(const std::vector<PortBinding>& bindings, int container_port,
                                const std::string& address)
{
  // The binding on the address itself first: it is the one orchestrate publishes.
  std::optional<int> any_interface;
  for (const auto& binding : bindings) {
    if (binding.container_port != container_port || binding.protocol != "tcp" ||
        !address_reaches(binding.host_ip, address)) {
      continue;
    }
    if (binding.host_ip == address) {
      return binding.host_port;
    }
    if (!any_interface) {
      any_interface = binding.host_port;
    }
  }
  return any_interface;
}

CurlEasy make_engine_handle(const EngineTransport& transport, const char* method,
                            const std::string& path)
{
  const std::string& endpoint = transport.endpoint;
  initialize_curl_once();
  CurlEasy handle(curl_easy_init());
  if (!handle) {
    throw InternalError("curl_easy_init failed");
  }
  CURL* h = handle.get();
  if (!is_tcp(endpoint)) {
    curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, endpoint.c_str());
  }
  const std::string url = base_url(transport) + path;
  if (transport.connections) {
    curl_easy_setopt(h, CURLOPT_SHARE, transport.connections->get());
  }
  if (transport.tls) {
    // The engine's certificate is checked against the configured CA (host name included), and
    // ours is presented: `docker --tlsverify`.
    curl_easy_setopt(h, CURLOPT_CAINFO, transport.tls->ca.c_str());
    curl_easy_setopt(h, CURLOPT_SSLCERT, transport.tls->cert.c_str());
    curl_easy_setopt(h, CURLOPT_SSLKEY, transport.tls->key.c_str());
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  }
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  // An http_proxy in the environment must not capture requests meant for the engine.
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  // Timeouts must not use signals: several threads talk to the engine at once.
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(k_connect_timeout.count()));
  return handle;
}

struct CurlConnectionShare::Locks
{
  std::array<std::mutex, CURL_LOCK_DATA_LAST> by_data;

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* locks)
  {
    static_cast<Locks*>(locks)->by_data.at(data).lock();
  }

  static void unlock(CURL*, curl_lock_data data, void* locks)
  {
    static_cast<Locks*>(locks)->by_data.at(data).unlock();
  }
};

CurlConnectionShare::CurlConnectionShare() : m_locks(std::make_unique<Locks>())
{
  initialize_curl_once();
  m_share = curl_share_init();
  if (m_share == nullptr) {
    throw InternalError("curl_share_init failed");
  }
  curl_share_setopt(m_share, CURLSHOPT_LOCKFUNC, &Locks::lock);
  curl_share_setopt(m_share, CURLSHOPT_UNLOCKFUNC, &Locks::unlock);
  curl_share_setopt(m_share, CURLSHOPT_USERDATA, m_locks.get());
  curl_share_setopt(m_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
}

CurlConnectionShare::~CurlConnectionShare()
{
  curl_share_cleanup(m_share);
}

struct DockerEngine::ApiNegotiation
{
  std::once_flag once;
  std::string prefix;
};

DockerEngine::DockerEngine() : DockerEngine(default_engine_endpoint(current_environment()))
{
}

DockerEngine::DockerEngine(std::string socket_path)
  : DockerEngine([&] {
      EngineEndpoint endpoint;
      endpoint.host = socket_path;
      endpoint.origin = socket_path;
      return endpoint;
    }())
{
}

DockerEngine::DockerEngine(const EngineEndpoint& endpoint)
  : m_endpoint(endpoint),
    m_api(std::make_shared<ApiNegotiation>())
{
  auto transport = std::make_shared<EngineTransport>();
  transport->name = endpoint.name;
  transport->host = endpoint.host;
  transport->tls = endpoint.tls;
  const std::string scheme = engine_scheme(endpoint.host);
  if (scheme == "ssh") {
    transport->ssh = std::make_shared<SshDialer>(endpoint.host, endpoint.ssh_config);
    transport->endpoint = transport->ssh->socket_path().string();
    transport->connections = std::make_shared<CurlConnectionShare>();
  } else {
    transport->endpoint = normalize_endpoint(endpoint.host);
  }
  if (transport->tls && scheme != "tcp") {
    throw UsageError("engine '" + endpoint.name + "': TLS certificates apply to tcp:// only, not " +
                     endpoint.host);
  }
  m_transport = std::move(transport);
}

const std::string& DockerEngine::socket_path() const
{
  return m_transport->endpoint;
}

const EngineEndpoint& DockerEngine::endpoint() const
{
  return m_endpoint;
}

const std::string& DockerEngine::address() const
{
  return m_endpoint.address;
}

std::map<std::string, std::string> DockerEngine::client_environment() const
{
  // DOCKER_HOST wins over any context in the docker CLI; the context is cleared all the same, so
  // that nothing else of the user's CLI configuration picks another engine.
  std::map<std::string, std::string> environment{{"DOCKER_CONTEXT", ""},
                                                 {"DOCKER_TLS_VERIFY", ""},
                                                 {"DOCKER_CERT_PATH", ""}};
  if (is_tcp(m_transport->endpoint)) {
    environment["DOCKER_HOST"] = m_transport->endpoint;
  } else {
    // A local socket, or an ssh:// engine's dialer: compose takes the same way as we do.
    environment["DOCKER_HOST"] = "unix://" + m_transport->endpoint;
  }
  if (m_transport->tls) {
    environment["DOCKER_TLS_VERIFY"] = "1";
    environment["DOCKER_CERT_PATH"] = m_transport->tls->ca.parent_path().string();
  }
  return environment;
}

const std::string& DockerEngine::api_prefix()
{
  // call_once stays armed when this throws, so a later call retries against a started engine.
  std::call_once(m_api->once, [this] {
    const HttpResponse response = perform(*m_transport, "GET", "/_ping");
    if (response.status != 200) {
      throw_unexpected_status("GET", "/_ping", response);
    }
    const std::string version = negotiate_api_version(response.api_version);
    spdlog::debug("docker: engine API {}, using {}", response.api_version, version);
    m_api->prefix = "/v" + version;
  });
  return m_api->prefix;
}

std::string DockerEngine::api_version()
{
  return api_prefix().substr(2);
}

bool DockerEngine::ping(Milliseconds timeout)
{
  try {
    const HttpResponse response = perform(*m_transport, "GET", "/_ping", timeout);
    return response.status == 200 && response.body == "OK";
  } catch (const std::exception& error) {
    spdlog::debug("docker: ping failed: {}", error.what());
    return false;
  }
}

std::string DockerEngine::server_version()
{
  return string_member(get_existing_json(*m_transport, api_prefix() + "/version"), "Version");
}

std::string DockerEngine::docker_root_dir()
{
  return string_member(get_existing_json(*m_transport, api_prefix() + "/info"), "DockerRootDir");
}

std::uint64_t DockerEngine::memory_total()
{
  const json info = get_existing_json(*m_transport, api_prefix() + "/info");
  const json& total = member(info, "MemTotal");
  return total.is_number_unsigned() ? total.get<std::uint64_t>() : 0;
}

int DockerEngine::cpu_count()
{
  const json info = get_existing_json(*m_transport, api_prefix() + "/info");
  const json& count = member(info, "NCPU");
  return count.is_number_integer() && count.get<int>() > 0 ? count.get<int>() : 0;
}

std::string DockerEngine::engine_id()
{
  return string_member(get_existing_json(*m_transport, api_prefix() + "/info"), "ID");
}

std::vector<ContainerSummary> DockerEngine::list_containers(
  const std::vector<std::string>& label_filters)
{
  const std::string path =
    with_query(api_prefix() + "/containers/json?all=1", filters_query(label_filters));
  std::vector<ContainerSummary> containers;
  for (const json& entry : get_existing_json(*m_transport, path)) {
    containers.push_back(summary_from_list_entry(entry, address()));
  }
  return containers;
}

std::vector<NetworkSummary> DockerEngine::list_networks(
  const std::vector<std::string>& label_filters)
{
  const std::string path = with_query(api_prefix() + "/networks", filters_query(label_filters));
  std::vector<NetworkSummary> networks;
  for (const json& entry : get_existing_json(*m_transport, path)) {
    networks.push_back(NetworkSummary{string_member(entry, "Id"), string_member(entry, "Name"),
                                      string_map(member(entry, "Labels"))});
  }
  return networks;
}

std::vector<VolumeSummary> DockerEngine::list_volumes(const std::vector<std::string>& label_filters)
{
  const std::string path = with_query(api_prefix() + "/volumes", filters_query(label_filters));
  std::vector<VolumeSummary> volumes;
  const json answer = get_existing_json(*m_transport, path);
  const json& entries = member(answer, "Volumes");
  if (entries.is_array()) {
    for (const json& entry : entries) {
      volumes.push_back(
        VolumeSummary{string_member(entry, "Name"), string_map(member(entry, "Labels"))});
    }
  }
  return volumes;
}

std::optional<ContainerSummary> DockerEngine::inspect_container(const std::string& id)
{
  const std::optional<json> container =
    get_json(*m_transport, api_prefix() + "/containers/" + url_escape(id) + "/json");
  if (!container) {
    return std::nullopt;
  }
  return summary_from_inspect(*container, address());
}

std::optional<ContainerEnding> DockerEngine::container_ending(const std::string& id)
{
  const std::optional<json> container =
    get_json(*m_transport, api_prefix() + "/containers/" + url_escape(id) + "/json");
  if (!container) {
    return std::nullopt;
  }
  const json& state = member(*container, "State");
  ContainerEnding ending;
  ending.status = string_member(state, "Status");
  const json& exit_code = member(state, "ExitCode");
  ending.exit_code = exit_code.is_number_integer() ? exit_code.get<int>() : 0;
  const json& oom = member(state, "OOMKilled");
  ending.oom_killed = oom.is_boolean() && oom.get<bool>();
  ending.finished_at = string_member(state, "FinishedAt");
  return ending;
}

std::string DockerEngine::container_logs(const std::string& id, int tail)
{
  const std::string path = api_prefix() + "/containers/" + url_escape(id) +
                           "/logs?stdout=1&stderr=1&tail=" + std::to_string(tail);
  const HttpResponse response = perform(*m_transport, "GET", path);
  if (response.status != 200) {
    throw_unexpected_status("GET", path, response);
  }
  // Multiplexed when the container has no TTY; checking the framing saves an inspect call.
  std::optional<std::string> payload = demultiplex(response.body);
  return payload ? std::move(*payload) : response.body;
}

std::optional<std::uint64_t> DockerEngine::container_memory_usage(const std::string& id)
{
  // one-shot: one sample instead of two a second apart (the CPU delta we do not need).
  const std::optional<json> stats =
    get_json(*m_transport,
             api_prefix() + "/containers/" + url_escape(id) + "/stats?stream=false&one-shot=1");
  if (!stats) {
    return std::nullopt;
  }
  // A container that is not running reports "memory_stats": {}.
  const json& memory = member(*stats, "memory_stats");
  const json& usage = member(memory, "usage");
  if (!usage.is_number_unsigned()) {
    return std::nullopt;
  }
  // As `docker stats` counts: usage minus the inactive file cache ("total_inactive_file" on
  // cgroup v1, "inactive_file" on v2), and only when that is smaller. Not minus all of "cache":
  // on v1 that includes shared memory (Postgres' shared buffers, /dev/shm), which is real use.
  const json& breakdown = member(memory, "stats");
  const json& inactive = member(breakdown, "total_inactive_file").is_null()
                           ? member(breakdown, "inactive_file")
                           : member(breakdown, "total_inactive_file");
  const std::uint64_t total = usage.get<std::uint64_t>();
  const std::uint64_t reclaimable =
    inactive.is_number_unsigned() ? inactive.get<std::uint64_t>() : 0;
  return reclaimable < total ? total - reclaimable : total;
}

bool DockerEngine::remove_container(const std::string& id)
{
  return remove_resource(*m_transport,
                         api_prefix() + "/containers/" + url_escape(id) + "?force=1&v=1");
}

bool DockerEngine::remove_network(const std::string& id)
{
  return remove_resource(*m_transport, api_prefix() + "/networks/" + url_escape(id));
}

bool DockerEngine::remove_volume(const std::string& name)
{
  return remove_resource(*m_transport, api_prefix() + "/volumes/" + url_escape(name) + "?force=1");
}

std::optional<std::string> DockerEngine::image_id(const std::string& name)
{
  const auto image = get_json(*m_transport, api_prefix() + "/images/" + url_escape(name) + "/json");
  if (!image) {
    return std::nullopt;
  }
  return string_member(*image, "Id");
}

ExecOutcome DockerEngine::exec_in_container(const std::string& id,
                                            const std::vector<std::string>& argv,
                                            Milliseconds timeout)
{
  const std::string create_path = api_prefix() + "/containers/" + url_escape(id) + "/exec";
  const json request{{"Cmd", argv}, {"AttachStdout", true}, {"AttachStderr", true}};
  const HttpResponse created = perform_post(*m_transport, create_path, request.dump());
  if (created.status == 409) {
    throw InternalError("cannot run a command in container " + id + ": it is not running");
  }
  if (created.status != 201) {
    throw_unexpected_status("POST", create_path, created);
  }
  const std::string exec_id = string_member(parse_body("POST", create_path, created), "Id");
  const std::string start_path = api_prefix() + "/exec/" + url_escape(exec_id) + "/start";
  // Attached: the answer is the command's output and ends when the command does.
  const HttpResponse started =
    perform_post(*m_transport, start_path, json{{"Detach", false}, {"Tty", false}}.dump(), timeout);
  ExecOutcome outcome;
  if (started.status == 0) {
    outcome.timed_out = true;
    return outcome;
  }
  if (started.status != 200) {
    throw_unexpected_status("POST", start_path, started);
  }
  std::optional<std::string> payload = demultiplex(started.body);
  outcome.output = payload ? std::move(*payload) : started.body;
  // The stream ends when the command does; its exit code may be recorded a moment later.
  const std::string inspect_path = api_prefix() + "/exec/" + url_escape(exec_id) + "/json";
  for (int attempt = 0; attempt < 100; ++attempt) {
    const json inspected = get_existing_json(*m_transport, inspect_path);
    const json& exit_code = member(inspected, "ExitCode");
    const json& running = member(inspected, "Running");
    if (!(running.is_boolean() && running.get<bool>()) && exit_code.is_number_integer()) {
      outcome.exit_code = exit_code.get<int>();
      return outcome;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  outcome.timed_out = true;
  return outcome;
}

ContainerEventStream DockerEngine::open_container_events(
  const std::vector<std::string>& label_filters, const std::vector<std::string>& actions)
{
  // since=now replays the events of the current second: the engine flushes its answer's headers
  // before it registers the subscription, so an event between the two would otherwise be lost,
  // and so would the events of containers created just before the call.
  std::string path =
    with_query(api_prefix() + "/events?since=" + std::to_string(std::time(nullptr)),
               filters_query(label_filters, {"container"}, actions));
  return ContainerEventStream(m_transport, std::move(path), k_connect_timeout);
}

void DockerEngine::watch_container_events(
  const std::vector<std::string>& label_filters,
  const std::function<bool(const ContainerEvent&)>& on_event,
  const std::atomic<bool>& stop)
{
  ContainerEventStream stream = open_container_events(label_filters);
  while (!stop.load()) {
    const std::optional<ContainerEvent> event = stream.next(k_stop_poll_interval);
    if (event && !on_event(*event)) {
      return;
    }
  }
}

bool engine_unanswered(const EngineTransport& transport, CURLcode code)
{
  if (code == CURLE_COULDNT_CONNECT) {
    return true;
  }
  // Through ssh the socket is ours and always answers; a session that ends before any answer is
  // ssh or dial-stdio failing to reach the engine.
  return transport.ssh != nullptr && (code == CURLE_GOT_NOTHING || code == CURLE_RECV_ERROR ||
                                      code == CURLE_SEND_ERROR);
}

std::string transport_unavailable_message(const EngineTransport& transport)
{
  if (transport.ssh != nullptr) {
    std::string message = "The Docker engine '" + transport.name + "' at " + transport.host +
                          " does not answer: `" ;
    for (const auto& argument : transport.ssh->ssh_command()) {
      message += (message.ends_with('`') ? "" : " ") + argument;
    }
    message += "` gave no answer. Check that `ssh` reaches the host without a password prompt "
               "(BatchMode) and that `docker` there reaches a running engine.";
    const std::string log = transport.ssh->ssh_log_tail();
    return log.empty() ? message : message + " ssh said: " + log;
  }
  if (transport.tls) {
    return "The Docker engine '" + transport.name + "' at " + transport.host +
           " (TLS) does not answer. Check that it listens there with --tlsverify and that the "
           "certificates (" + transport.tls->ca.string() + ", " + transport.tls->cert.string() +
           ", " + transport.tls->key.string() + ") are the ones it trusts.";
  }
  return engine_unavailable_message(transport.endpoint);
}

std::string engine_unavailable_message(const std::string& socket_path)
{
  std::string where;
  if (is_tcp(socket_path)) {
    where = socket_path + " (DOCKER_HOST)";
  } else {
    std::error_code error;
    const auto status = std::filesystem::status(socket_path, error);
    std::string problem;
    if (!std::filesystem::exists(status)) {
      problem = "the socket does not exist";
    } else if (status.type() != std::filesystem::file_type::socket) {
      problem = "it is not a socket";
    } else if (::access(socket_path.c_str(), R_OK | W_OK) != 0) {
      problem = "permission denied: run as root or join the docker group";
    } else {
      problem = "nothing answers on it";
    }
    where = "unix socket " + socket_path + " (" + problem + ")";
  }
  return "The Docker engine does not answer at " + where + ". Start one with `sudo dockerd &`, " +
         "`scripts/start-docker` (in the orchestrate repository) or `systemctl start docker`, " +
         "or point DOCKER_HOST at a running engine (unix:///path/to/docker.sock).";
}

}  // namespace orchestrate
