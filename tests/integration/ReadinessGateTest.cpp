#include "core/Error.hpp"
#include "docker/ReadinessGate.hpp"
#include "process/SignalState.hpp"
#include "support/DockerTestSupport.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <future>
#include <optional>
#include <thread>

namespace orchestrate {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* k_image = "orchestrate/busybox:latest";
constexpr int k_container_port = 8080;

Milliseconds since(Clock::time_point start)
{
  return std::chrono::duration_cast<Milliseconds>(Clock::now() - start);
}

bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

// The gate judges containers by two labels: io.orchestrate.stack (which stack) and compose's
// service label (which fixture). These tests start plain busybox containers carrying both, so each
// case controls exactly when its service starts, turns healthy, unhealthy or exits. Each test has
// its own stack name and io.orchestrate.test label; TearDown removes everything with that label
// and checks that nothing is left.
class ReadinessGateTest : public ::testing::Test
{
protected:
  void TearDown() override
  {
    reset_interrupts();
    m_cleanup.remove_now();
    const Leftovers leftovers = leftovers_with_label(m_label);
    EXPECT_TRUE(leftovers.empty()) << leftovers.describe();
  }

  // Starts `service` of this test's stack, publishing container port 8080 on an ephemeral
  // loopback port; returns the container id.
  std::string run_service(const std::string& service,
                          const std::vector<std::string>& options,
                          const std::vector<std::string>& command)
  {
    std::vector<std::string> args = {"run", "-d",
                                     "--label", m_label,
                                     "--label", "io.orchestrate.stack=" + m_stack,
                                     "--label", "com.docker.compose.service=" + service,
                                     "--name", m_stack + "-" + service,
                                     "-p", "127.0.0.1::" + std::to_string(k_container_port)};
    args.insert(args.end(), options.begin(), options.end());
    args.push_back(k_image);
    args.insert(args.end(), command.begin(), command.end());
    return run_docker(args);
  }

  static FixtureConfig fixture(const std::string& service,
                               ReadinessSpec::Kind kind = ReadinessSpec::Kind::k_health)
  {
    FixtureConfig config;
    config.name = service + "-fixture";
    config.service = service;
    config.container_port = k_container_port;
    config.readiness.kind = kind;
    return config;
  }

  static std::string health_of(const std::string& id)
  {
    return run_docker({"inspect", "--format", "{{.State.Health.Status}}", id});
  }

  // The host port Docker published for container port 8080 ("127.0.0.1:49153" -> 49153).
  static int host_port(const std::string& id)
  {
    const std::string address = run_docker({"port", id, std::to_string(k_container_port)});
    return std::stoi(address.substr(address.rfind(':') + 1));
  }

  // The message of the StackNotReadyError that wait() throws, and how long it took to throw;
  // fails the test when wait() returns or throws anything else.
  std::pair<std::string, Milliseconds> expect_not_ready(const std::vector<FixtureConfig>& fixtures,
                                                        Milliseconds timeout)
  {
    ReadinessGate gate(m_engine, m_stack);
    const auto start = Clock::now();
    try {
      gate.wait(fixtures, timeout);
    } catch (const StackNotReadyError& error) {
      return {error.what(), since(start)};
    }
    ADD_FAILURE() << "wait() returned although the stack is not ready";
    return {"", since(start)};
  }

  const std::string m_id = unique_test_id();
  const std::string m_label = "io.orchestrate.test=" + m_id;
  const std::string m_stack = "orch-" + m_id;
  DockerEngine m_engine;
  DockerCleanup m_cleanup{m_label};
};

// A healthcheck that passes only once the service has slept 2 s: the gate must not return while
// the container is running but still `starting`.
const std::vector<std::string> k_healthy_after_2s = {"--health-cmd", "test -f /ready",
                                                     "--health-interval", "1s",
                                                     "--health-retries", "30"};
const std::vector<std::string> k_touch_ready_after_2s = {"sh", "-c",
                                                         "sleep 2; touch /ready; exec sleep 300"};

TEST_F(ReadinessGateTest, ReturnsOnceTheServiceIsHealthyWithItsPublishedPort)
{
  const std::string id = run_service("db", k_healthy_after_2s, k_touch_ready_after_2s);
  ReadinessGate gate(m_engine, m_stack);
  const auto endpoints = gate.wait({fixture("db")}, Milliseconds(60'000));

  EXPECT_EQ(health_of(id), "healthy");
  ASSERT_EQ(endpoints.count("db-fixture"), 1u);
  EXPECT_EQ(endpoints.at("db-fixture").host, "127.0.0.1");
  EXPECT_EQ(endpoints.at("db-fixture").port, host_port(id));
}

TEST_F(ReadinessGateTest, SeesServicesThatStartOnlyAfterTheWaitBegan)
{
  // The gate has subscribed and listed an empty stack before either container exists, so only the
  // event stream can tell it about them.
  auto waiting = std::async(std::launch::async, [&] {
    ReadinessGate gate(m_engine, m_stack);
    return gate.wait({fixture("db"), fixture("cache")}, Milliseconds(60'000));
  });
  std::this_thread::sleep_for(Milliseconds(1000));
  ASSERT_EQ(waiting.wait_for(Milliseconds(0)), std::future_status::timeout)
    << "wait() returned before any container existed";
  const std::string db = run_service("db", k_healthy_after_2s, k_touch_ready_after_2s);
  const std::string cache = run_service("cache", {"--health-cmd", "true", "--health-interval", "1s"},
                                        {"sleep", "300"});

  const auto endpoints = waiting.get();
  EXPECT_EQ(health_of(db), "healthy");
  EXPECT_EQ(health_of(cache), "healthy");
  EXPECT_EQ(endpoints.at("db-fixture").port, host_port(db));
  EXPECT_EQ(endpoints.at("cache-fixture").port, host_port(cache));
}

TEST_F(ReadinessGateTest, SeesAServiceThatWasAlreadyHealthyBeforeTheSubscription)
{
  {
    ContainerEventStream events = m_engine.open_container_events({m_label}, {"health_status"});
    run_service("db", {"--health-cmd", "true", "--health-interval", "1s"}, {"sleep", "300"});
    const std::optional<ContainerEvent> healthy = events.next(Milliseconds(30'000));
    ASSERT_TRUE(healthy.has_value()) << "db did not turn healthy within 30 s";
    ASSERT_EQ(healthy->action, "health_status: healthy");
  }
  // The engine replays the current second's events to a new subscriber: let that second pass, so
  // that no event can announce the health any more and only the gate's own look can find it.
  std::this_thread::sleep_for(Milliseconds(1100));

  ReadinessGate gate(m_engine, m_stack);
  const auto endpoints = gate.wait({fixture("db")}, Milliseconds(5000));
  EXPECT_EQ(endpoints.at("db-fixture").port, host_port(m_stack + "-db"));
}

TEST_F(ReadinessGateTest, AServiceThatExitsFailsTheWaitAtOnceWithItsLogs)
{
  run_service("db", {"--health-cmd", "false", "--health-interval", "1s", "--health-retries", "600"},
              {"sh", "-c", "echo 'db: fatal: bad config marker-3e1'; sleep 2; exit 3"});

  const auto [message, took] = expect_not_ready({fixture("db")}, Milliseconds(120'000));
  EXPECT_TRUE(contains(message, "service 'db' (fixture db-fixture) exited before it became ready"))
    << message;
  EXPECT_TRUE(contains(message, "marker-3e1")) << message;
  // Failing fast is the point: the exit, not the 120 s timeout, ends the wait.
  EXPECT_LT(took, Milliseconds(60'000));
}

TEST_F(ReadinessGateTest, AnUnhealthyServiceFailsTheWaitWithItsLogs)
{
  run_service("db", {"--health-cmd", "false", "--health-interval", "1s", "--health-retries", "2"},
              {"sh", "-c", "echo 'db: cannot open socket marker-9b7'; exec sleep 300"});

  const auto [message, took] = expect_not_ready({fixture("db")}, Milliseconds(120'000));
  EXPECT_TRUE(contains(message, "service 'db' (fixture db-fixture) reported unhealthy")) << message;
  EXPECT_TRUE(contains(message, "marker-9b7")) << message;
  EXPECT_LT(took, Milliseconds(60'000));
}

TEST_F(ReadinessGateTest, AServiceThatNeverTurnsHealthyFailsAtTheTimeoutSayingWhatItWaitedFor)
{
  const std::string slow = run_service("slow", {"--health-cmd", "false", "--health-interval", "1s",
                                                "--health-retries", "600"},
                                       {"sh", "-c", "echo 'still warming up marker-51c'; "
                                                    "exec sleep 300"});
  const std::string fast =
    run_service("fast", {"--health-cmd", "true", "--health-interval", "1s"}, {"sleep", "300"});

  const auto [message, took] =
    expect_not_ready({fixture("fast"), fixture("slow")}, Milliseconds(3000));
  EXPECT_TRUE(contains(message, "service 'slow' (fixture slow-fixture) was not ready within "
                                "3.00s, still waiting for slow (starting)"))
    << message;
  EXPECT_TRUE(contains(message, "marker-51c")) << message;
  EXPECT_GE(took, Milliseconds(3000));
  EXPECT_LT(took, Milliseconds(30'000));
}

TEST_F(ReadinessGateTest, CtrlCEndsTheWaitPromptly)
{
  run_service("db", {"--health-cmd", "false", "--health-interval", "1s", "--health-retries", "600"},
              {"sleep", "300"});
  Clock::time_point interrupted;
  std::thread interrupter([&] {
    std::this_thread::sleep_for(Milliseconds(1000));
    interrupted = Clock::now();
    simulate_interrupts(1, SIGINT);
  });
  ReadinessGate gate(m_engine, m_stack);
  try {
    gate.wait({fixture("db")}, Milliseconds(60'000));
    ADD_FAILURE() << "wait() returned although the service never became healthy";
  } catch (const Error& error) {
    EXPECT_EQ(error.exit_code(), ExitCode::k_interrupted) << error.what();
  }
  interrupter.join();
  // Prompt is the point: the stream wait is bounded, so the flag is seen within a fraction of a
  // second (2 s leaves room for a loaded machine).
  EXPECT_LT(since(interrupted), Milliseconds(2000));
}

// The engine runs a healthcheck first one interval after the start: with a 60 s interval the
// service below stays `starting` for a minute. The gate runs the check itself once the service
// listens, so it returns long before (the bound is the feature: well under the interval), and not
// before the check passes (the check needs /ready, made 2 s after the port opens).
TEST_F(ReadinessGateTest, AHealthFixtureIsReadyWhenItsCheckPassesBeforeTheEnginesFirstRunOfIt)
{
  const std::string id = run_service(
    "db", {"--health-cmd", "test -f /ready", "--health-interval", "60s"},
    {"sh", "-c", "(while true; do nc -l -p 8080; done) & sleep 2; touch /ready; exec sleep 300"});
  const auto start = Clock::now();
  ReadinessGate gate(m_engine, m_stack);
  const auto endpoints = gate.wait({fixture("db")}, Milliseconds(60'000));
  const Milliseconds took = since(start);

  EXPECT_GE(took, Milliseconds(1500)) << "ready before its check could pass";
  EXPECT_LT(took, Milliseconds(20'000));
  EXPECT_EQ(health_of(id), "starting") << "the engine ran its own check already: nothing proven";
  EXPECT_EQ(run_docker({"exec", id, "sh", "-c", "test -f /ready && echo ok"}), "ok");
  EXPECT_EQ(endpoints.at("db-fixture").port, host_port(id));
}

// A service that listens but whose check fails stays not ready, however often the gate looks,
// until the engine itself gives up on it.
TEST_F(ReadinessGateTest, AListeningServiceWhoseCheckFailsIsNotReady)
{
  run_service("db", {"--health-cmd", "false", "--health-interval", "60s"},
              {"sh", "-c", "while true; do nc -l -p 8080; done"});
  const auto [message, took] = expect_not_ready({fixture("db")}, Milliseconds(4000));
  EXPECT_TRUE(contains(message, "was not ready within 4.00s, still waiting for db (starting)"))
    << message;
}

TEST_F(ReadinessGateTest, APortFixtureIsReadyOnceItsPortAcceptsWithoutAHealthcheck)
{
  const std::string id =
    run_service("web", {}, {"sh", "-c", "while true; do nc -l -p 8080; done"});
  ReadinessGate gate(m_engine, m_stack);
  const auto endpoints =
    gate.wait({fixture("web", ReadinessSpec::Kind::k_port)}, Milliseconds(30'000));
  EXPECT_EQ(endpoints.at("web-fixture").port, host_port(id));
  EXPECT_TRUE(tcp_port_accepts("127.0.0.1", endpoints.at("web-fixture").port, Milliseconds(1000)));
}

}  // namespace
}  // namespace orchestrate
