// Several Docker engines in one run (docs/scale-out.md): beside the machine's engine, two of the
// test binary's own, each a dockerd in its own network namespace (ExtraEngine), started once for
// all cases: one reached over tcp:// with TLS client certificates (made with openssl here), one
// over ssh:// (an sshd of the test's own on a loopback port, with a key made here). Images are
// copied in with `docker save | docker load`. Every case checks that nothing of its project is
// left on any engine.

#include "OrchestrateCli.hpp"
#include "core/FileText.hpp"
#include "docker/DockerEngine.hpp"
#include "docker/EngineEndpoint.hpp"
#include "locking/EnvironmentLock.hpp"
#include "locking/OwnerIdentity.hpp"
#include "process/ProcStat.hpp"
#include "support/DockerTestSupport.hpp"
#include "support/Eventually.hpp"
#include "support/ExtraEngine.hpp"
#include "support/SshServer.hpp"

#include <gtest/gtest.h>
#include <iostream>
#include <sstream>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace orchestrate::testing {
namespace {

constexpr const char* k_image = "orchestrate/busybox:latest";

// The two extra engines and the sshd in front of one of them, shared by every case.
struct Engines
{
  std::unique_ptr<ExtraEngine> tls;
  std::unique_ptr<ExtraEngine> behind_ssh;
  std::unique_ptr<SshServer> ssh;
  std::string skip_reason;  // a kernel feature is missing
};

Engines* g_engines = nullptr;

class ScaleOutEnvironment : public ::testing::Environment
{
public:
  void SetUp() override
  {
    m_engines = std::make_unique<Engines>();
    g_engines = m_engines.get();
    try {
      m_engines->tls = std::make_unique<ExtraEngine>(ExtraEngineOptions{true, true});
      m_engines->behind_ssh = std::make_unique<ExtraEngine>(ExtraEngineOptions{false, true});
    } catch (const ExtraEngineUnsupported& missing) {
      m_engines->skip_reason = missing.what();
      return;
    }
    m_engines->ssh = std::make_unique<SshServer>(m_engines->behind_ssh->docker_host());
    m_engines->tls->load_images({k_image});
    m_engines->behind_ssh->load_images({k_image});
  }

  void TearDown() override
  {
    g_engines = nullptr;
    m_engines.reset();
  }

private:
  std::unique_ptr<Engines> m_engines;
};

const auto* const k_environment = ::testing::AddGlobalTestEnvironment(new ScaleOutEnvironment);

EngineEndpoint tls_endpoint()
{
  EngineEndpoint endpoint;
  endpoint.name = "tls";
  endpoint.host = g_engines->tls->tls_host();
  const auto certs = g_engines->tls->client_cert_dir();
  endpoint.tls = TlsFiles{certs / "ca.pem", certs / "cert.pem", certs / "key.pem"};
  endpoint.address = g_engines->tls->address();
  return endpoint;
}

EngineEndpoint ssh_endpoint()
{
  EngineEndpoint endpoint;
  endpoint.name = "ssh";
  endpoint.host = g_engines->ssh->url();
  endpoint.ssh_config = g_engines->ssh->client_config();
  endpoint.address = g_engines->behind_ssh->address();
  return endpoint;
}

// Expects that nothing with `label` is left on `engine` within `bound` from `since`.
void expect_nothing_left(DockerEngine& engine, const std::string& label, Milliseconds bound,
                         std::chrono::steady_clock::time_point since =
                           std::chrono::steady_clock::now())
{
  Leftovers left;
  const auto remaining = std::chrono::duration_cast<Milliseconds>(
    bound - (std::chrono::steady_clock::now() - since));
  EXPECT_TRUE(eventually(
    [&] {
      left = leftovers_with_label(engine, label);
      return left.empty();
    },
    std::max(remaining, Milliseconds(0)), Milliseconds(200)))
    << "left on engine " << engine.endpoint().name << " after " << bound.count()
    << " ms: " << left.describe();
}

class ScaleOutTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (g_engines == nullptr || !g_engines->skip_reason.empty()) {
      GTEST_SKIP() << "no engines of the test's own (a kernel feature is missing): "
                   << (g_engines == nullptr ? "" : g_engines->skip_reason);
    }
    write_project();
  }

  void TearDown() override
  {
    if (g_engines == nullptr || !g_engines->skip_reason.empty()) {
      return;
    }
    // A case that killed an engine and stopped early: the next cases need it.
    if (!g_engines->tls->answers()) {
      g_engines->tls->start_engine();
    }
    // Nothing of this case's project is left on any engine.
    DockerEngine local;
    DockerEngine tls(tls_endpoint());
    DockerEngine ssh(ssh_endpoint());
    for (auto* engine : {&local, &tls, &ssh}) {
      expect_nothing_left(*engine, m_project.label(), Milliseconds(10'000));
    }
  }

  // Three engines (the machine's, tls, ssh), a busybox stack whose one fixture is an open port,
  // and a suite of `tests` commands that each connect to the fixture's {host}:{port} and check
  // that {host} is `expected_host` when given.
  void write_project(int tests = 4, const std::string& expected_host = "")
  {
    const auto certs = g_engines->tls->client_cert_dir();
    m_project.write("compose.yml", R"(services:
  beat:
    image: )" + m_image + R"(
    command: ["nc", "-ll", "-p", "8080", "-e", "true"]
    stop_signal: SIGKILL
    healthcheck: {test: ["CMD", "true"], interval: 1s, retries: 3}
    deploy: {resources: {limits: {memory: 32M, cpus: "0.2"}}}
    logging: {driver: json-file, options: {max-size: 1m}}
)");
    m_project.write("orchestrate.yaml",
                    "project: " + m_project.prefix() + "\n"
                    "environments:\n"
                    "  test: {compose_files: [compose.yml]}\n"
                    "defaults: {parallel: 2, readiness_timeout: 60s}\n"
                    "engines:\n"
                    "  - name: local\n"
                    "    host: unix:///var/run/docker.sock\n"
                    "    memory_budget: " + m_local_budget + "\n"
                    "  - name: tls\n"
                    "    host: " + g_engines->tls->tls_host() + "\n"
                    "    tls: {ca: " + (certs / "ca.pem").string() + ", cert: " +
                      (certs / "cert.pem").string() + ", key: " + (certs / "key.pem").string() +
                      "}\n"
                    "    memory_budget: " + m_remote_budget + "\n"
                    "    address: " + g_engines->tls->address() + "\n"
                    "  - name: ssh\n"
                    "    host: " + g_engines->ssh->url() + "\n"
                    "    ssh_config: " + g_engines->ssh->client_config().string() + "\n"
                    "    memory_budget: " + m_remote_budget + "\n"
                    "    address: " + g_engines->behind_ssh->address() + "\n");
    m_project.write("fixtures/beat.yaml",
                    "service: beat\nport: 8080\nreadiness: {kind: port}\n"
                    "environment: {BEAT_HOST: \"{host}\", BEAT_PORT: \"{port}\"}\n");
    const std::string check =
      "import os, socket; "
      "socket.create_connection((os.environ['BEAT_HOST'], int(os.environ['BEAT_PORT'])), 5); " +
      (expected_host.empty() ? std::string()
                             : "assert os.environ['BEAT_HOST'] == '" + expected_host + "', "
                               "os.environ['BEAT_HOST']; ") +
      "import time; time.sleep(" + m_test_seconds + ")";
    std::string suite = "runner: command\nfixtures: [beat]\ntest_timeout: 60s\ncommands:\n";
    for (int i = 0; i < tests; ++i) {
      suite += "  - {name: reach-" + std::to_string(i) + ", run: [\"/usr/bin/python3\", \"-c\", " +
               nlohmann::json(check).dump() + "]}\n";
    }
    m_project.write("suites/reach.yaml", suite);
  }

  CliRun run(const std::vector<std::string>& arguments) const
  {
    std::vector<std::string> all{"-C", m_project.root().string(), "--suite", "reach"};
    all.insert(all.end(), arguments.begin(), arguments.end());
    return run_orchestrate(all, k_source_dir, {{"NO_COLOR", "1"}});
  }

  ScratchProject m_project;
  std::string m_local_budget = "4GiB";
  std::string m_remote_budget = "4GiB";
  std::string m_test_seconds = "0";
  std::string m_image = k_image;
};

TEST_F(ScaleOutTest, TlsEngineAnswersWithTheClientCertificateOnly)
{
  DockerEngine engine(tls_endpoint());
  EXPECT_TRUE(engine.ping());
  EXPECT_FALSE(engine.server_version().empty());
  // Without our certificate the engine refuses the connection (--tlsverify).
  EngineEndpoint without_certificate = tls_endpoint();
  without_certificate.tls->cert.clear();
  without_certificate.tls->key.clear();
  EXPECT_FALSE(DockerEngine(without_certificate).ping());
}

TEST_F(ScaleOutTest, SshEngineAnswersThroughDialStdioAndStreamsEvents)
{
  DockerEngine engine(ssh_endpoint());
  ASSERT_TRUE(engine.ping()) << "ssh engine did not answer";
  EXPECT_FALSE(engine.server_version().empty());
  // The event stream (a long-lived connection) works through the same socket.
  auto events = engine.open_container_events({"io.orchestrate.project=" + m_project.prefix()});
  EXPECT_FALSE(events.next(Milliseconds(100)).has_value());
  // The compose child is pointed at the same private socket.
  const auto environment = engine.client_environment();
  EXPECT_EQ(environment.at("DOCKER_HOST"), "unix://" + engine.socket_path());
}

TEST_F(ScaleOutTest, RunOnTheTlsEnginePublishesPortsOnItsAddress)
{
  write_project(2, g_engines->tls->address());
  const auto result = run({"--engine", "tls", "--parallel", "2"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("2 passed"), std::string::npos) << result.output;
}

TEST_F(ScaleOutTest, RunOnTheSshEnginePublishesPortsOnItsAddress)
{
  write_project(2, g_engines->behind_ssh->address());
  const auto result = run({"--engine", "ssh", "--parallel", "2"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("2 passed"), std::string::npos) << result.output;
}

// Starts a container on the engine `environment` points the docker CLI at, labelled as a
// leftover of this project whose owner (a pid that does not run) is dead.
void start_dead_owners_leftover(const ScratchProject& project,
                                const std::map<std::string, std::string>& environment)
{
  const std::string owner = current_owner().host + ":4194303:1";
  ProcessOptions options;
  options.argv = {"docker", "run", "-d", "--label", "io.orchestrate.managed=true",
                  "--label", "io.orchestrate.project=" + project.prefix(),
                  "--label", "io.orchestrate.env=test", "--label", "io.orchestrate.run=gone",
                  "--label", "io.orchestrate.stack=" + project.prefix() + "-test-gone-s1",
                  "--label", "io.orchestrate.owner=" + owner, k_image, "sleep", "600"};
  options.extra_environment = environment;
  options.capture_output = true;
  const auto result = run_command(options, Milliseconds(60'000));
  ASSERT_TRUE(result.exit.succeeded()) << result.output;
}

TEST_F(ScaleOutTest, CleanupSweepsTheNamedEngineOnlyThenEveryConfiguredEngine)
{
  ASSERT_FALSE(process_is_running(4194303));
  const auto certs = g_engines->tls->client_cert_dir().string();
  start_dead_owners_leftover(m_project, {{"DOCKER_HOST", g_engines->tls->tls_host()},
                                         {"DOCKER_TLS_VERIFY", "1"},
                                         {"DOCKER_CERT_PATH", certs}});
  start_dead_owners_leftover(m_project, {{"DOCKER_HOST", "unix:///var/run/docker.sock"}});
  DockerEngine local;
  DockerEngine tls(tls_endpoint());

  auto swept = run_orchestrate({"cleanup", "-C", m_project.root().string(), "--engine", "tls"});
  EXPECT_EQ(swept.exit_code, 0) << swept.output;
  EXPECT_TRUE(leftovers_with_label(tls, m_project.label()).empty()) << swept.output;
  EXPECT_EQ(leftovers_with_label(local, m_project.label()).containers.size(), 1u)
    << "--engine tls swept another engine:\n" << swept.output;

  swept = run_orchestrate({"cleanup", "-C", m_project.root().string()});
  EXPECT_EQ(swept.exit_code, 0) << swept.output;
  EXPECT_NE(swept.output.find("engine local"), std::string::npos) << swept.output;
  EXPECT_TRUE(leftovers_with_label(local, m_project.label()).empty()) << swept.output;
}

TEST_F(ScaleOutTest, UnknownEngineNameIsAUsageErrorNamingTheEngines)
{
  const auto result = run({"--engine", "nowhere"});
  EXPECT_EQ(result.exit_code, 4) << result.output;
  EXPECT_NE(result.output.find("--engine nowhere: no such engine"), std::string::npos)
    << result.output;
  EXPECT_NE(result.output.find("local, tls, ssh"), std::string::npos) << result.output;
}

// The engines each shard's stack ran on, from the JSON report.
std::set<std::string> engines_in_report(const std::filesystem::path& report)
{
  std::set<std::string> engines;
  const auto parsed = nlohmann::json::parse(read_file_text(report).value_or("{}"));
  for (const auto& shard : parsed.value("shards", nlohmann::json::array())) {
    engines.insert(shard.value("engine", ""));
  }
  return engines;
}

TEST_F(ScaleOutTest, ParallelSixWithSmallBudgetsPlacesShardsOnAllThreeEngines)
{
  // Each engine's budget holds two stacks of 32 MiB: six shards need all three engines.
  m_local_budget = m_remote_budget = "64MiB";
  m_test_seconds = "1";
  write_project(12);
  const auto report = m_project.root() / "report.json";
  const auto result = run({"--parallel", "6", "--report-json", report.string(), "--junit-xml",
                           (m_project.root() / "junit.xml").string(), "--progress", "live"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(engines_in_report(report), (std::set<std::string>{"local", "tls", "ssh"}))
    << read_file_text(report).value_or("");
  // The live block's last frame names each shard's engine.
  for (const auto* engine : {"local", "tls", "ssh"}) {
    EXPECT_NE(result.output.find(std::string(" on ") + engine + " "), std::string::npos)
      << engine << " in:\n" << result.output;
  }
  // Each test names its shard's engine (which shards get tests first is the scheduler's call).
  const auto junit = read_file_text(m_project.root() / "junit.xml").value_or("");
  EXPECT_NE(junit.find("<property name=\"engine\" value=\""), std::string::npos) << junit;
}

TEST_F(ScaleOutTest, MemoryFloorHoldsBackASecondStackOnEachExtraEngine)
{
  // A floor no engine reaches: each admits its first stack only (the first never waits).
  m_local_budget = m_remote_budget = "64MiB";
  write_project(6);
  const auto report = m_project.root() / "report.json";
  const auto result =
    run({"--parallel", "6", "--memory-floor", "100TiB", "--report-json", report.string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("memory pressure: engine tls's memory left (MemTotal minus its "
                               "containers' use)"),
            std::string::npos)
    << result.output;
  EXPECT_EQ(engines_in_report(report), (std::set<std::string>{"local", "tls", "ssh"}))
    << read_file_text(report).value_or("");
}

// Starts `orchestrate --suite reach --engine NAME` in the background.
ChildProcess start_run_on(const ScratchProject& project, const std::string& engine)
{
  ProcessOptions options;
  options.argv = {ORCHESTRATE_BINARY, "-C", project.root().string(), "--suite", "reach",
                  "--engine", engine};
  options.extra_environment = {{"NO_COLOR", "1"}};
  options.capture_output = true;
  return ChildProcess(options);
}

TEST_F(ScaleOutTest, RunsOnDifferentEnginesGoSideBySideAndOnOneEngineTakeTurns)
{
  // The lock is keyed by the engine's ID: the test's engines have IDs of their own.
  DockerEngine local;
  DockerEngine tls(tls_endpoint());
  ASSERT_NE(tls.engine_id(), local.engine_id());
  m_test_seconds = "15";  // the first run holds the tls engine's lock meanwhile
  write_project(1);
  auto first = start_run_on(m_project, "tls");
  const auto lock_dir = m_project.root() / ".orchestrate" / "locks";
  ASSERT_TRUE(eventually(
    [&] {
      for (const auto& [name, holder] : lock_holders(lock_dir)) {
        if (name.starts_with("test@") && holder.pid == first.pid()) {
          return true;
        }
      }
      return false;
    },
    Milliseconds(30'000), Milliseconds(100)))
    << "the run on tls took no engine lock";

  // The same engine: its lock is held, so a run with a short lock timeout gives up (exit 6).
  const auto same = run({"--engine", "tls", "--lock-timeout", "1s"});
  EXPECT_EQ(same.exit_code, 6) << same.output;
  EXPECT_NE(same.output.find("waiting for the test environment lock of engine tls held by pid " +
                             std::to_string(first.pid())),
            std::string::npos)
    << same.output;

  // Another engine: no wait at all.
  m_test_seconds = "0";
  write_project(1);
  const auto other = run({"--engine", "local"});
  EXPECT_EQ(other.exit_code, 0) << other.output;
  EXPECT_EQ(other.output.find("waiting for the test environment lock"), std::string::npos)
    << other.output;
  EXPECT_FALSE(first.poll().has_value()) << "the run on tls ended before the check:\n"
                                         << first.output();
  EXPECT_EQ(first.wait(Milliseconds(120'000)).exit_code, 0) << first.output();
}

// A tag of the busybox image on the machine's engine only, removed at the end (an untag: the
// image keeps its other names).
class LocalOnlyTag
{
public:
  explicit LocalOnlyTag(const std::string& tag) : m_name(std::string("orchestrate/busybox:") + tag)
  {
    run_docker({"tag", k_image, m_name});
  }
  ~LocalOnlyTag()
  {
    try {
      run_docker({"rmi", m_name});
    } catch (const std::exception& error) {
      ADD_FAILURE() << "could not remove the tag " << m_name << ": " << error.what();
    }
  }
  LocalOnlyTag(const LocalOnlyTag&) = delete;
  LocalOnlyTag& operator=(const LocalOnlyTag&) = delete;

  const std::string& name() const
  {
    return m_name;
  }

private:
  std::string m_name;
};

TEST_F(ScaleOutTest, EngineThatLacksAnImageOfTheStackIsLeftOutWithAWarning)
{
  const LocalOnlyTag tag(m_project.prefix());
  m_image = tag.name();
  write_project(2);
  const auto report = m_project.root() / "report.json";
  const auto result = run({"--engine", "local", "--engine", "tls", "--parallel", "2",
                           "--report-json", report.string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("engine tls lacks image " + tag.name() +
                               ": left out of this run (load it with docker save | docker load)"),
            std::string::npos)
    << result.output;
  EXPECT_EQ(engines_in_report(report), (std::set<std::string>{"local"}))
    << read_file_text(report).value_or("");
}

// Starts `orchestrate --suite reach --parallel 6` in the background.
ChildProcess start_run(const ScratchProject& project)
{
  ProcessOptions options;
  options.argv = {ORCHESTRATE_BINARY, "-C", project.root().string(), "--suite", "reach",
                  "--parallel", "6"};
  options.extra_environment = {{"NO_COLOR", "1"}, {"ORCHESTRATE_REAPER_GIVE_UP_AFTER", "3m"}};
  options.capture_output = true;
  return ChildProcess(options);
}

bool runs_a_stack(DockerEngine& engine, const std::string& label)
{
  for (const auto& container : engine.list_containers({label})) {
    if (container.state == "running") {
      return true;
    }
  }
  return false;
}

TEST_F(ScaleOutTest, KilledExtraEngineMidRunMovesItsShardsAndTheRunStillPasses)
{
  m_local_budget = m_remote_budget = "64MiB";
  m_test_seconds = "2";
  write_project(18);
  auto run = start_run(m_project);
  DockerEngine tls(tls_endpoint());
  ASSERT_TRUE(eventually([&] { return runs_a_stack(tls, m_project.label()); },
                         Milliseconds(60'000), Milliseconds(200)))
    << "no stack came up on the tls engine";
  g_engines->tls->kill_engine();
  const auto exit = run.wait(Milliseconds(300'000));
  const auto output = run.output();
  EXPECT_EQ(exit.exit_code, 0) << output;
  EXPECT_NE(output.find("engine tls stopped answering"), std::string::npos) << output;
  // What the run said about it, for the log.
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("engine") != std::string::npos || line.find("passed") != std::string::npos) {
      std::cout << "  run: " << line << "\n";
    }
  }

  // Back again, the reaper (handed what was left there) removes the run's leftovers.
  g_engines->tls->start_engine();
  expect_nothing_left(tls, m_project.label(), Milliseconds(90'000));
}

TEST_F(ScaleOutTest, KillNineOfOrchestrateLeavesNothingOnAnyEngineWithinTenSeconds)
{
  m_local_budget = m_remote_budget = "64MiB";
  m_test_seconds = "5";
  write_project(12);
  auto run = start_run(m_project);
  DockerEngine local;
  DockerEngine tls(tls_endpoint());
  DockerEngine ssh(ssh_endpoint());
  ASSERT_TRUE(eventually(
    [&] {
      return runs_a_stack(local, m_project.label()) && runs_a_stack(tls, m_project.label()) &&
             runs_a_stack(ssh, m_project.label());
    },
    Milliseconds(60'000), Milliseconds(200)))
    << "the run did not reach all three engines";
  ::kill(run.pid(), SIGKILL);
  run.wait(Milliseconds(10'000));
  const auto killed = std::chrono::steady_clock::now();
  for (auto* engine : {&local, &tls, &ssh}) {
    expect_nothing_left(*engine, m_project.label(), Milliseconds(10'000), killed);
  }
  std::cout << "kill -9 to nothing left on the three engines: "
            << std::chrono::duration_cast<Milliseconds>(std::chrono::steady_clock::now() - killed)
                 .count()
            << " ms\n";
}

TEST_F(ScaleOutTest, EnvStackGoesUpOnTheNamedEngineAndDownFromIt)
{
  // The dev environment: the same compose file, as a long-lived stack on the tls engine.
  auto text = read_file_text(m_project.root() / "orchestrate.yaml").value_or("");
  text.replace(text.find("environments:\n"), 14,
               "environments:\n  dev: {compose_files: [compose.yml]}\n");
  m_project.write("orchestrate.yaml", text);
  const std::vector<std::string> dev{"env", "-C", m_project.root().string(), "--env", "dev",
                                     "--engine", "tls"};
  auto with = [&](const char* action) {
    auto arguments = dev;
    arguments.insert(arguments.begin() + 1, action);
    return run_orchestrate(arguments);
  };
  DockerEngine local;
  DockerEngine tls(tls_endpoint());
  const auto up = with("up");
  EXPECT_EQ(up.exit_code, 0) << up.output;
  EXPECT_EQ(leftovers_with_label(tls, m_project.label()).containers.size(), 1u) << up.output;
  EXPECT_TRUE(leftovers_with_label(local, m_project.label()).empty()) << up.output;
  const auto status = with("status");
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("beat"), std::string::npos) << status.output;
  const auto down = with("down");
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_TRUE(leftovers_with_label(tls, m_project.label()).empty()) << down.output;
}

}  // namespace
}  // namespace orchestrate::testing
