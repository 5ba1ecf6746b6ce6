#include "core/Error.hpp"
#include "docker/DockerEngine.hpp"
#include "process/Fd.hpp"
#include "support/DockerTestSupport.hpp"
#include "support/EnvironmentOverride.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace orchestrate {

namespace {

constexpr const char* k_image = "orchestrate/busybox:latest";
constexpr std::uint64_t k_mib = 1024 * 1024;

using Clock = std::chrono::steady_clock;

// Polls `condition` every 200 ms until it holds or `timeout` passes; returns whether it held.
bool eventually(const std::function<bool()>& condition, Milliseconds timeout = Milliseconds(30000))
{
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(Milliseconds(200));
  }
  return true;
}

bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

// docker stats' "50.69MiB / 23.54GiB" -> bytes of the first figure.
std::uint64_t parse_docker_stats_usage(const std::string& mem_usage)
{
  std::size_t unit_start = 0;
  const double value = std::stod(mem_usage, &unit_start);
  const std::string unit = mem_usage.substr(unit_start, mem_usage.find(' ') - unit_start);
  const double scale = unit == "GiB"   ? 1024.0 * k_mib
                       : unit == "MiB" ? k_mib
                       : unit == "KiB" ? 1024.0
                                       : 1.0;
  return static_cast<std::uint64_t>(value * scale);
}

// Runs watch_container_events in a thread and records its events; the destructor stops and joins
// it, so a failed assertion never leaves a joinable thread behind.
class EventRecorder
{
public:
  EventRecorder(DockerEngine& engine,
                const std::string& label_filter,
                std::function<bool(const ContainerEvent&)> keep_going = {})
    : m_keep_going(std::move(keep_going))
  {
    m_thread = std::thread([this, &engine, label_filter] {
      try {
        engine.watch_container_events(
          {label_filter},
          [this](const ContainerEvent& event) {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_events.push_back(event);
            return m_keep_going ? m_keep_going(event) : true;
          },
          m_stop);
      } catch (...) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_error = std::current_exception();
      }
      m_finished = true;
    });
  }

  ~EventRecorder()
  {
    stop_and_join();
  }

  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // How long the watch took to return after stop was set.
  Milliseconds stop_and_join()
  {
    const auto start = Clock::now();
    m_stop = true;
    if (m_thread.joinable()) {
      m_thread.join();
    }
    return std::chrono::duration_cast<Milliseconds>(Clock::now() - start);
  }

  bool saw(const std::string& container_id, const std::string& action)
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (const ContainerEvent& event : m_events) {
      if (event.container_id == container_id && event.action == action) {
        return true;
      }
    }
    return false;
  }

  std::vector<ContainerEvent> events()
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_events;
  }

  bool finished() const
  {
    return m_finished;
  }

  bool failed()
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_error != nullptr;
  }

private:
  std::function<bool(const ContainerEvent&)> m_keep_going;
  std::atomic<bool> m_stop{false};
  std::atomic<bool> m_finished{false};
  std::mutex m_mutex;
  std::vector<ContainerEvent> m_events;
  std::exception_ptr m_error;
  std::thread m_thread;
};

// A stand-in engine on a unix socket in a temp dir, for what the real one will not do on demand
// (another API version, an error status, a dropped event stream). Answers each connection with
// what `respond` returns for its request line ("GET /_ping HTTP/1.1"), then closes it.
class FakeEngine
{
public:
  explicit FakeEngine(std::function<std::string(const std::string&)> respond)
    : m_respond(std::move(respond)),
      m_socket_path((m_dir.path() / "docker.sock").string()),
      m_listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0))
  {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    m_socket_path.copy(address.sun_path, sizeof(address.sun_path) - 1);
    if (!m_listener ||
        ::bind(m_listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::listen(m_listener.get(), 8) != 0) {
      throw std::runtime_error("cannot listen on " + m_socket_path);
    }
    m_thread = std::thread([this] { serve(); });
  }

  ~FakeEngine()
  {
    m_stop = true;
    m_thread.join();
  }

  FakeEngine(const FakeEngine&) = delete;
  FakeEngine& operator=(const FakeEngine&) = delete;

  const std::string& socket_path() const
  {
    return m_socket_path;
  }

  std::vector<std::string> request_lines()
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_request_lines;
  }

private:
  void serve()
  {
    while (!m_stop) {
      pollfd ready{m_listener.get(), POLLIN, 0};
      if (::poll(&ready, 1, 50) <= 0) {
        continue;
      }
      Fd client(::accept(m_listener.get(), nullptr, nullptr));
      std::string request;
      char buffer[4096];
      while (client && request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t count = ::read(client.get(), buffer, sizeof(buffer));
        if (count <= 0) {
          break;
        }
        request.append(buffer, static_cast<std::size_t>(count));
      }
      const std::string line = request.substr(0, request.find("\r\n"));
      {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_request_lines.push_back(line);
      }
      const std::string response = m_respond(line);
      std::size_t sent = 0;
      while (client && sent < response.size()) {
        const ssize_t count =
          ::send(client.get(), response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
        if (count <= 0) {
          break;
        }
        sent += static_cast<std::size_t>(count);
      }
    }
  }

  TempDir m_dir;
  std::function<std::string(const std::string&)> m_respond;
  std::string m_socket_path;
  Fd m_listener;
  std::atomic<bool> m_stop{false};
  std::mutex m_mutex;
  std::vector<std::string> m_request_lines;
  std::thread m_thread;
};

// An HTTP/1.1 answer that ends when the connection closes.
std::string http_answer(const std::string& status, const std::string& body,
                        const std::string& api_version = "")
{
  std::string headers = "HTTP/1.1 " + status + "\r\nConnection: close\r\n";
  if (!api_version.empty()) {
    headers += "Api-Version: " + api_version + "\r\n";
  }
  return headers + "\r\n" + body;
}

// A fake engine that serves `api_version` on /_ping and `answer` for everything else.
std::function<std::string(const std::string&)> engine_answering(const std::string& api_version,
                                                                 const std::string& answer)
{
  return [api_version, answer](const std::string& request_line) {
    return request_line.starts_with("GET /_ping ") ? http_answer("200 OK", "OK", api_version)
                                                   : answer;
  };
}

}  // namespace

// Every test labels what it creates with its own id, removes it all in TearDown and then checks
// that nothing with its label is left.
class DockerEngineTest : public ::testing::Test
{
protected:
  void TearDown() override
  {
    m_cleanup.remove_now();
    const Leftovers leftovers = leftovers_with_label(m_label);
    EXPECT_TRUE(leftovers.empty()) << leftovers.describe();
  }

  // Starts a labelled busybox container named orch-<id><suffix>; returns its id.
  std::string run_labelled(const std::string& suffix,
                           const std::vector<std::string>& options,
                           const std::vector<std::string>& command)
  {
    std::vector<std::string> args = {"run", "-d", "--label", m_label, "--name", name(suffix)};
    args.insert(args.end(), options.begin(), options.end());
    args.push_back(k_image);
    args.insert(args.end(), command.begin(), command.end());
    return run_docker(args);
  }

  // Starts a container WITHOUT our label (registered for removal by id); returns its id.
  std::string run_unlabelled()
  {
    const std::string id = run_docker({"run", "-d", "--name", name("-unlabelled"), k_image,
                                       "sleep", "300"});
    m_cleanup.add_container(id);
    return id;
  }

  std::string name(const std::string& suffix) const
  {
    return "orch-" + m_id + suffix;
  }

  const std::string m_id = unique_test_id();
  const std::string m_label = "io.orchestrate.test=" + m_id;
  DockerEngine m_engine;
  DockerCleanup m_cleanup{m_label};
};

TEST_F(DockerEngineTest, PingAnswersAndVersionsMatchTheDockerCli)
{
  EXPECT_TRUE(m_engine.ping());
  EXPECT_EQ(m_engine.server_version(), run_docker({"version", "--format", "{{.Server.Version}}"}));
  EXPECT_EQ(m_engine.api_version(),
            run_docker({"version", "--format", "{{.Server.APIVersion}}"}));
  EXPECT_EQ(m_engine.docker_root_dir(), run_docker({"info", "--format", "{{.DockerRootDir}}"}));
}

TEST(DockerEngineUnavailableTest, PingIsFalseForASocketThatDoesNotExist)
{
  TempDir dir;
  DockerEngine engine((dir.path() / "missing.sock").string());
  EXPECT_FALSE(engine.ping(Milliseconds(500)));
}

TEST(DockerEngineUnavailableTest, CallsThrowEnvironmentErrorSayingWhichSocketAndHowToStartOne)
{
  TempDir dir;
  const std::string socket = (dir.path() / "missing.sock").string();
  DockerEngine engine(socket);
  try {
    engine.list_containers({"io.orchestrate.test"});
    FAIL() << "list_containers did not throw";
  } catch (const EnvironmentError& error) {
    const std::string message = error.what();
    for (const std::string& part : {socket, std::string("does not exist"),
                                    std::string("sudo dockerd &"),
                                    std::string("scripts/start-docker"),
                                    std::string("systemctl start docker"),
                                    std::string("DOCKER_HOST")}) {
      EXPECT_TRUE(contains(message, part)) << "missing '" << part << "' in: " << message;
    }
  }
  std::atomic<bool> stop{false};
  EXPECT_THROW(engine.watch_container_events({}, [](const ContainerEvent&) { return true; }, stop),
               EnvironmentError);
}

TEST(DockerEngineUnavailableTest, TcpHostThatRefusesIsReportedAsUnavailable)
{
  DockerEngine engine("tcp://127.0.0.1:1");
  EXPECT_FALSE(engine.ping(Milliseconds(500)));
  try {
    engine.server_version();
    FAIL() << "server_version did not throw";
  } catch (const EnvironmentError& error) {
    EXPECT_TRUE(contains(error.what(), "tcp://127.0.0.1:1")) << error.what();
  }
}

TEST(DockerEngineUnavailableTest, DockerHostChoosesTheSocket)
{
  {
    EnvironmentOverride host("DOCKER_HOST", "unix:///tmp/elsewhere.sock");
    EXPECT_EQ(DockerEngine().socket_path(), "/tmp/elsewhere.sock");
  }
  {
    EnvironmentOverride host("DOCKER_HOST", nullptr);
    EXPECT_EQ(DockerEngine().socket_path(), "/var/run/docker.sock");
  }
  {
    // ssh:// is an engine of its own since issue 12 (SshDialer); a scheme nobody speaks is refused.
    EnvironmentOverride host("DOCKER_HOST", "npipe:////./pipe/docker_engine");
    EXPECT_THROW(DockerEngine(), EnvironmentError);
  }
}

TEST(DockerEngineProtocolTest, NegotiatesTheEngineVersionCappedAt141)
{
  const std::string empty_list = http_answer("200 OK", "[]");
  FakeEngine newer(engine_answering("1.45", empty_list));
  DockerEngine talks_to_newer(newer.socket_path());
  EXPECT_EQ(talks_to_newer.api_version(), "1.41");

  FakeEngine older(engine_answering("1.38", empty_list));
  DockerEngine talks_to_older(older.socket_path());
  EXPECT_TRUE(talks_to_older.list_containers({"io.orchestrate.test"}).empty());
  const std::vector<std::string> lines = older.request_lines();
  ASSERT_EQ(lines.size(), 2u);  // one /_ping, however many calls follow
  EXPECT_TRUE(lines[1].starts_with("GET /v1.38/containers/json?all=1&filters=")) << lines[1];
  EXPECT_TRUE(contains(lines[1], "%22label%22")) << lines[1];

  FakeEngine silent(engine_answering("", empty_list));
  EXPECT_EQ(DockerEngine(silent.socket_path()).api_version(), "1.41");
}

TEST(DockerEngineProtocolTest, UnexpectedStatusThrowsInternalErrorWithStatusAndBody)
{
  FakeEngine engine(engine_answering("1.41", http_answer("500 Internal Server Error",
                                                         R"({"message":"boom"})")));
  try {
    DockerEngine(engine.socket_path()).list_networks({});
    FAIL() << "list_networks did not throw";
  } catch (const InternalError& error) {
    const std::string message = error.what();
    EXPECT_TRUE(contains(message, "GET /v1.41/networks")) << message;
    EXPECT_TRUE(contains(message, "500")) << message;
    EXPECT_TRUE(contains(message, "boom")) << message;
  }
}

TEST(DockerEngineProtocolTest, WatchThrowsEnvironmentErrorWhenTheEngineDropsTheStream)
{
  const std::string event =
    R"({"Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"k":"v"}}})";
  FakeEngine engine(engine_answering("1.41", http_answer("200 OK", event + "\n")));
  DockerEngine client(engine.socket_path());
  std::vector<ContainerEvent> events;
  std::atomic<bool> stop{false};
  EXPECT_THROW(client.watch_container_events({"k=v"},
                                             [&](const ContainerEvent& seen) {
                                               events.push_back(seen);
                                               return true;
                                             },
                                             stop),
               EnvironmentError);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].container_id, "abc");
  EXPECT_EQ(events[0].action, "start");
  EXPECT_EQ(events[0].labels, (std::map<std::string, std::string>{{"k", "v"}}));
}

TEST(DockerEngineProtocolTest, OpeningTheEventStreamThrowsInternalErrorForAnErrorAnswer)
{
  FakeEngine engine(engine_answering("1.41", http_answer("400 Bad Request",
                                                         R"({"message":"bad filter"})")));
  try {
    DockerEngine(engine.socket_path()).open_container_events({"k=v"}, {"start"});
    FAIL() << "open_container_events did not throw";
  } catch (const InternalError& error) {
    const std::string message = error.what();
    EXPECT_TRUE(contains(message, "GET /v1.41/events")) << message;
    EXPECT_TRUE(contains(message, "400")) << message;
    EXPECT_TRUE(contains(message, "bad filter")) << message;
  }
}

TEST_F(DockerEngineTest, ListContainersByLabelFindsExactlyTheLabelledContainer)
{
  const std::string unlabelled = run_unlabelled();
  const std::string labelled =
    run_labelled("", {"--label", "io.orchestrate.test.role=main"}, {"sleep", "300"});

  const std::vector<ContainerSummary> found = m_engine.list_containers({m_label});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, labelled);
  EXPECT_EQ(found[0].name, name(""));
  EXPECT_EQ(found[0].state, "running");
  EXPECT_EQ(found[0].health, "");
  EXPECT_EQ(found[0].labels.at("io.orchestrate.test"), m_id);

  // Several filters must all match.
  EXPECT_EQ(m_engine.list_containers({m_label, "io.orchestrate.test.role=main"}).size(), 1u);
  EXPECT_TRUE(m_engine.list_containers({m_label, "io.orchestrate.test.role=other"}).empty());

  bool unlabelled_listed = false;
  for (const ContainerSummary& container : m_engine.list_containers({"io.orchestrate.test"})) {
    unlabelled_listed = unlabelled_listed || container.id == unlabelled;
  }
  EXPECT_FALSE(unlabelled_listed);
}

TEST_F(DockerEngineTest, ListingWorksFromSeveralThreadsOnAFreshEngine)
{
  const std::string labelled = run_labelled("", {}, {"sleep", "300"});
  DockerEngine fresh;  // negotiates its API version under concurrent first use
  std::atomic<int> found{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int call = 0; call < 5; ++call) {
        try {
          const std::vector<ContainerSummary> containers = fresh.list_containers({m_label});
          if (containers.size() == 1 && containers[0].id == labelled) {
            ++found;
          }
        } catch (const std::exception&) {
          // Counted as a miss below.
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(found.load(), 20);
}

TEST_F(DockerEngineTest, HealthReachesHealthyInInspectAndList)
{
  const std::string plain = run_labelled("-plain", {}, {"sleep", "300"});
  const std::string checked = run_labelled(
    "-checked", {"--health-cmd", "true", "--health-interval", "1s"}, {"sleep", "300"});

  EXPECT_TRUE(eventually([&] {
    const std::optional<ContainerSummary> container = m_engine.inspect_container(checked);
    return container && container->health == "healthy";
  })) << "health never became healthy";

  const std::optional<ContainerSummary> inspected = m_engine.inspect_container(checked);
  ASSERT_TRUE(inspected);
  EXPECT_EQ(inspected->id, checked);
  EXPECT_EQ(inspected->name, name("-checked"));
  EXPECT_EQ(inspected->state, "running");
  EXPECT_EQ(inspected->labels.at("io.orchestrate.test"), m_id);

  bool listed_healthy = false;
  for (const ContainerSummary& container : m_engine.list_containers({m_label})) {
    listed_healthy = listed_healthy || (container.id == checked && container.health == "healthy");
  }
  EXPECT_TRUE(listed_healthy);

  const std::optional<ContainerSummary> without_check = m_engine.inspect_container(plain);
  ASSERT_TRUE(without_check);
  EXPECT_EQ(without_check->health, "");
  EXPECT_FALSE(m_engine.inspect_container(name("-never-created")));
}

TEST_F(DockerEngineTest, ContainerLogsAreDemultiplexedStdoutAndStderr)
{
  const std::string id = run_labelled(
    // Docker copies stdout and stderr concurrently, so their order is only defined when the
    // lines are apart in time.
    "", {},
    {"sh", "-c", "echo hello-" + m_id + "; sleep 0.3; echo oops-" + m_id + " >&2; sleep 300"});
  const std::string expected = "hello-" + m_id + "\noops-" + m_id + "\n";
  std::string logs;
  EXPECT_TRUE(eventually([&] {
    logs = m_engine.container_logs(id);
    return logs.size() >= expected.size();
  }));
  EXPECT_EQ(logs, expected);
  EXPECT_EQ(m_engine.container_logs(id, 1), "oops-" + m_id + "\n");
}

TEST_F(DockerEngineTest, ContainerLogsOfATtyContainerAreReturnedAsWritten)
{
  const std::string id = run_labelled("", {"-t"}, {"sh", "-c", "echo tty-" + m_id + "; sleep 300"});
  const std::string expected = "tty-" + m_id + "\r\n";
  std::string logs;
  EXPECT_TRUE(eventually([&] {
    logs = m_engine.container_logs(id);
    return logs.size() >= expected.size();
  }));
  EXPECT_EQ(logs, expected);
}

TEST_F(DockerEngineTest, MemoryUsageAgreesWithDockerStatsForAContainerHoldingMemory)
{
  // tail -c keeps a 50 MiB buffer while its input stays open.
  const std::string id = run_labelled(
    "", {}, {"sh", "-c", "{ head -c 50m /dev/zero; sleep 300; } | tail -c 50m"});
  std::optional<std::uint64_t> usage;
  EXPECT_TRUE(eventually([&] {
    usage = m_engine.container_memory_usage(id);
    return usage && *usage >= 45 * k_mib;
  })) << "usage: " << (usage ? *usage : 0);
  ASSERT_TRUE(usage);
  EXPECT_LE(*usage, 80 * k_mib);

  const std::uint64_t cli_usage = parse_docker_stats_usage(
    run_docker({"stats", "--no-stream", "--format", "{{.MemUsage}}", id}));
  const std::uint64_t ours = *m_engine.container_memory_usage(id);
  const std::uint64_t difference = ours > cli_usage ? ours - cli_usage : cli_usage - ours;
  EXPECT_LE(difference, 5 * k_mib) << "ours: " << ours << ", docker stats: " << cli_usage;

  const std::string created =
    run_docker({"create", "--label", m_label, "--name", name("-created"), k_image, "true"});
  EXPECT_FALSE(m_engine.container_memory_usage(created));
  EXPECT_FALSE(m_engine.container_memory_usage(name("-never-created")));
}

TEST_F(DockerEngineTest, PublishedPortsAppearInListAndInspect)
{
  const std::string id = run_labelled("", {"-p", "127.0.0.1::8080"}, {"sleep", "300"});
  const std::string binding = run_docker({"port", id, "8080/tcp"});  // "127.0.0.1:49153"
  const int host_port = std::stoi(binding.substr(binding.rfind(':') + 1));

  const std::vector<ContainerSummary> listed = m_engine.list_containers({m_label});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].published_tcp_ports, (std::map<int, int>{{8080, host_port}}));
  const std::optional<ContainerSummary> inspected = m_engine.inspect_container(id);
  ASSERT_TRUE(inspected);
  EXPECT_EQ(inspected->published_tcp_ports, (std::map<int, int>{{8080, host_port}}));
}

// Engine 20.10 binds `-p 6379` on 0.0.0.0 and [::] from two pools of ephemeral ports; a container
// published on 0.0.0.0 only moves the IPv4 pool ahead, so the two host ports differ. The port
// handed out is the IPv4 one, which 127.0.0.1 reaches, never the [::] one listed last.
TEST_F(DockerEngineTest, AnAllInterfacePortGivesTheIpv4BindingNeverTheIpv6One)
{
  run_labelled("-ahead", {"-p", "0.0.0.0::80"}, {"sleep", "300"});
  const std::string id = run_labelled("", {"-p", "6379"}, {"sleep", "300"});
  const auto inspected = m_engine.inspect_container(id);
  ASSERT_TRUE(inspected);
  std::optional<int> ipv4;
  for (const auto& binding : inspected->port_bindings) {
    if (binding.host_ip == "0.0.0.0") {
      ipv4 = binding.host_port;
    }
  }
  ASSERT_TRUE(ipv4) << run_docker({"port", id});
  EXPECT_EQ(inspected->published_tcp_ports.at(6379), *ipv4) << run_docker({"port", id});
  for (const auto& listed : m_engine.list_containers({m_label})) {
    if (listed.id == id) {
      EXPECT_EQ(listed.published_tcp_ports.at(6379), *ipv4) << run_docker({"port", id});
    }
  }
}

TEST_F(DockerEngineTest, WatchSeesStartAndHealthyOfALabelledContainerStartedAfterIt)
{
  EventRecorder recorder(m_engine, m_label);
  std::this_thread::sleep_for(Milliseconds(300));
  const std::string unlabelled = run_unlabelled();
  const std::string id = run_labelled("", {"--health-cmd", "true", "--health-interval", "1s"},
                                      {"sleep", "300"});

  EXPECT_TRUE(eventually([&] {
    return recorder.saw(id, "start") && recorder.saw(id, "health_status: healthy");
  })) << "events seen: " << recorder.events().size();
  EXPECT_LT(recorder.stop_and_join(), Milliseconds(500));
  EXPECT_FALSE(recorder.failed());
  for (const ContainerEvent& event : recorder.events()) {
    EXPECT_EQ(event.container_id, id) << event.action;
    EXPECT_EQ(event.labels.at("io.orchestrate.test"), m_id);
  }
}

TEST_F(DockerEngineTest, WatchReturnsPromptlyWhenStoppedOnAQuietStream)
{
  EventRecorder recorder(m_engine, m_label);
  std::this_thread::sleep_for(Milliseconds(500));
  EXPECT_FALSE(recorder.finished());
  EXPECT_LT(recorder.stop_and_join(), Milliseconds(400));
  EXPECT_FALSE(recorder.failed());
  EXPECT_TRUE(recorder.events().empty());
}

TEST_F(DockerEngineTest, WatchEndsWhenTheHandlerReturnsFalse)
{
  EventRecorder recorder(m_engine, m_label, [](const ContainerEvent&) { return false; });
  std::this_thread::sleep_for(Milliseconds(300));
  run_labelled("", {}, {"sleep", "300"});
  EXPECT_TRUE(eventually([&] { return recorder.finished(); }, Milliseconds(10000)));
  EXPECT_FALSE(recorder.failed());
  EXPECT_EQ(recorder.events().size(), 1u);
}

TEST_F(DockerEngineTest, EventStreamDeliversOnlyTheChosenActionsAndHealthStatusCoversEachStatus)
{
  ContainerEventStream stream = m_engine.open_container_events({m_label}, {"start", "health_status"});
  const std::string id = run_labelled("", {"--health-cmd", "true", "--health-interval", "1s"},
                                      {"sleep", "300"});
  std::vector<std::string> actions;
  const auto deadline = Clock::now() + Milliseconds(30000);
  while (Clock::now() < deadline &&
         std::find(actions.begin(), actions.end(), "health_status: healthy") == actions.end()) {
    if (const std::optional<ContainerEvent> event = stream.next(Milliseconds(500))) {
      EXPECT_EQ(event->container_id, id);
      actions.push_back(event->action);
    }
  }
  // Without the action filter the stream also carries create, attach and the exec_create,
  // exec_start and exec_die of every healthcheck run.
  EXPECT_EQ(actions, (std::vector<std::string>{"start", "health_status: healthy"}));
}

TEST_F(DockerEngineTest, EventStreamNextWaitsAboutItsBoundOnAQuietStream)
{
  ContainerEventStream stream = m_engine.open_container_events({m_label});
  const auto start = Clock::now();
  EXPECT_FALSE(stream.next(Milliseconds(300)).has_value());
  const auto took = Clock::now() - start;
  EXPECT_GE(took, Milliseconds(300));
  EXPECT_LT(took, Milliseconds(1500));
}

TEST_F(DockerEngineTest, RemovalsRemoveLabelledResourcesAndAcceptAlreadyRemovedOnes)
{
  const std::string container = run_labelled("", {}, {"sleep", "300"});
  const std::string network =
    run_docker({"network", "create", "--label", m_label, name("-net")});
  const std::string volume = run_docker({"volume", "create", "--label", m_label, name("-vol")});
  ASSERT_FALSE(leftovers_with_label(m_label).empty());

  EXPECT_TRUE(m_engine.remove_container(container));
  EXPECT_TRUE(m_engine.remove_network(network));
  EXPECT_TRUE(m_engine.remove_volume(volume));
  const Leftovers leftovers = leftovers_with_label(m_label);
  EXPECT_TRUE(leftovers.empty()) << leftovers.describe();

  EXPECT_TRUE(m_engine.remove_container(container));
  EXPECT_TRUE(m_engine.remove_network(network));
  EXPECT_TRUE(m_engine.remove_volume(volume));
}

TEST_F(DockerEngineTest, RemovalsAreRefusedForNetworksAndVolumesInUse)
{
  const std::string network =
    run_docker({"network", "create", "--label", m_label, name("-net")});
  const std::string volume = run_docker({"volume", "create", "--label", m_label, name("-vol")});
  run_labelled("", {"--network", network, "-v", volume + ":/data"}, {"sleep", "300"});

  EXPECT_FALSE(m_engine.remove_network(network));
  EXPECT_FALSE(m_engine.remove_volume(volume));
  EXPECT_EQ(m_engine.list_networks({m_label}).size(), 1u);
  EXPECT_EQ(m_engine.list_volumes({m_label}).size(), 1u);
}

}  // namespace orchestrate
