// A run whose engine dies: against a second dockerd of the test's own (ExtraEngine), killed with
// SIGKILL in the middle of a run. The run must say so (exit 7, what is left, who removes it), and
// its reaper must remove everything of the run once the engine is back, within a bound: the bound
// is the feature. Then: no netns, veth, dockerd or temp dir of the test is left.

#include "OrchestrateCli.hpp"
#include "core/FileText.hpp"
#include "docker/DockerEngine.hpp"
#include "docker/ResourceLabels.hpp"
#include "process/ProcStat.hpp"
#include "support/Eventually.hpp"
#include "support/ExtraEngine.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <optional>
#include <regex>
#include <thread>

namespace orchestrate::testing {
namespace {

constexpr const char* k_image = "orchestrate/busybox:latest";
// How long the reaper may take, once the engine answers again, to leave nothing of the run. Its
// retries back off to at most 10 s apart; this leaves room for a loaded machine.
constexpr Milliseconds k_removal_bound(60'000);
constexpr int k_tests = 16;  // 1 s each, at --parallel 2: the tests last about 8 s

std::string read_file(const std::filesystem::path& path)
{
  return read_file_text(path).value_or("");
}

// What the extra engine holds with `label`: "container x, network y", or "" when nothing.
std::string resources_with_label(DockerEngine& engine, const std::string& label)
{
  std::string text;
  auto add = [&](const std::string& what) { text += (text.empty() ? "" : ", ") + what; };
  for (const auto& container : engine.list_containers({label})) {
    add("container " + container.name + " (" + container.state + ")");
  }
  for (const auto& network : engine.list_networks({label})) {
    add("network " + network.name);
  }
  for (const auto& volume : engine.list_volumes({label})) {
    add("volume " + volume.name);
  }
  return text;
}

class EngineLossTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    try {
      m_engine.emplace();
    } catch (const ExtraEngineUnsupported& missing) {
      GTEST_SKIP() << "no engine of the test's own: " << missing.what();
    }
    m_netns = m_engine->netns_name();
    m_veth = m_engine->host_veth_name();
    m_engine_root = m_engine->root();
    m_engine->load_images({k_image});
    m_client.emplace(m_engine->socket_path().string());
    write_project();
  }

  void TearDown() override
  {
    if (!m_engine) {
      return;
    }
    const int dockerd = m_engine->dockerd_pid();
    m_engine.reset();
    // The engine's destructor leaves nothing of it on the machine.
    EXPECT_FALSE(std::filesystem::exists("/var/run/netns/" + m_netns)) << m_netns;
    EXPECT_FALSE(std::filesystem::exists("/sys/class/net/" + m_veth)) << m_veth;
    EXPECT_FALSE(std::filesystem::exists(m_engine_root)) << m_engine_root;
    EXPECT_TRUE(dockerd == 0 || !process_is_running(dockerd)) << "dockerd " << dockerd;
    EXPECT_TRUE(std::filesystem::exists("/sys/class/net/docker0")) << "docker0 must stay";
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const auto command = read_file(entry.path() / "cmdline");
      EXPECT_EQ(command.find(m_engine_root.string()), std::string::npos)
        << "left running: pid " << entry.path().filename().string() << ": " << command;
    }
  }

  // A stack of one busybox service with a healthcheck, a published port and a named volume, and
  // a suite of k_tests one-second commands that need nothing from it.
  void write_project()
  {
    m_project.write("compose.yml", R"(services:
  beat:
    image: orchestrate/busybox:latest
    command: ["sleep", "600"]
    stop_signal: SIGKILL
    ports: ["127.0.0.1::8080"]
    volumes: ["data:/data"]
    healthcheck: {test: ["CMD", "true"], interval: 1s, retries: 3}
    deploy: {resources: {limits: {memory: 32M, cpus: "0.2"}}}
    logging: {driver: json-file, options: {max-size: 1m}}
volumes:
  data: {}
)");
    m_project.write_orchestrate_yaml((m_project.root() / "compose.yml").string());
    m_project.write("fixtures/beat.yaml", "service: beat\nport: 8080\nreadiness: {kind: health}\n");
    std::string suite = "runner: command\nfixtures: [beat]\ntest_timeout: 30s\ncommands:\n";
    for (int i = 0; i < k_tests; ++i) {
      suite += "  - {name: tick-" + std::to_string(i) + ", run: [\"sleep\", \"1\"]}\n";
    }
    m_project.write("suites/ticks.yaml", suite);
  }

  // Starts `orchestrate --suite ticks --parallel 2` against the extra engine.
  ChildProcess start_run() const
  {
    ProcessOptions options;
    options.argv = {ORCHESTRATE_BINARY, "-C", m_project.root().string(), "--suite", "ticks",
                    "--parallel", "2"};
    options.extra_environment = {{"DOCKER_HOST", m_engine->docker_host()},
                                 {"NO_COLOR", "1"},
                                 {"ORCHESTRATE_REAPER_GIVE_UP_AFTER", "3m"}};
    options.capture_output = true;
    return ChildProcess(options);
  }

  // Waits until a container of the run's stacks is healthy on the extra engine: tests run now.
  void wait_for_a_healthy_stack()
  {
    ASSERT_TRUE(eventually(
      [&] {
        for (const auto& container : m_client->list_containers({m_project.label()})) {
          if (container.health == "healthy") {
            return true;
          }
        }
        return false;
      },
      Milliseconds(60'000), Milliseconds(200)))
      << "no stack of the run became healthy";
  }

  // The run's leftovers are gone from the (answering) engine within k_removal_bound, and the
  // reaper that removed them has exited, its log in the run folder.
  void expect_everything_removed_by_the_reaper(const std::string& output)
  {
    const auto started = std::chrono::steady_clock::now();
    std::string left;
    const bool removed = eventually(
      [&] {
        left = resources_with_label(*m_client, m_project.label());
        return left.empty();
      },
      k_removal_bound, Milliseconds(200));
    EXPECT_TRUE(removed) << "still on the engine after " << k_removal_bound.count() << " ms: "
                         << left << "\nrun output:\n" << output;
    std::cout << "engine answering again to zero leftovers: "
              << std::chrono::duration_cast<Milliseconds>(std::chrono::steady_clock::now() -
                                                          started).count()
              << " ms\n";
    std::smatch reaper;
    if (std::regex_search(output, reaper, std::regex(R"(reaper \(pid (\d+)\))"))) {
      const int pid = std::stoi(reaper[1]);
      EXPECT_TRUE(eventually([&] { return !process_is_running(pid); }, Milliseconds(30'000)))
        << "the reaper " << pid << " is still running";
    }
    // The reaper's log is the run's: in its run folder, not beside the locks.
    std::smatch log;
    ASSERT_TRUE(std::regex_search(output, log, std::regex(R"(\(log: ([^)]+reaper\.log)\))")))
      << output;
    const std::filesystem::path log_path = log[1].str();
    EXPECT_EQ(log_path.parent_path().parent_path(), m_project.root() / ".orchestrate" / "runs");
    EXPECT_TRUE(eventually([&] { return read_file(log_path).find("nothing labelled") !=
                                          std::string::npos; },
                           Milliseconds(10'000)))
      << read_file(log_path);
    // Nothing of the run is left beside the locks either: the reaper removed its own lock.
    for (const auto& entry :
         std::filesystem::directory_iterator(m_project.root() / ".orchestrate" / "locks")) {
      EXPECT_EQ(entry.path().filename().string().rfind("reaper-", 0), std::string::npos)
        << "left by the reaper: " << entry.path();
    }
  }

  std::optional<ExtraEngine> m_engine;
  std::optional<DockerEngine> m_client;
  std::string m_netns;
  std::string m_veth;
  std::filesystem::path m_engine_root;
  ScratchProject m_project;
};

TEST_F(EngineLossTest, KilledEngineEndsTheRunWithExitSevenAndTheReaperRemovesAllOnceItIsBack)
{
  auto run = start_run();
  wait_for_a_healthy_stack();
  m_engine->kill_engine();
  const auto killed = std::chrono::steady_clock::now();
  const auto exit = run.wait(Milliseconds(180'000));
  const auto output = run.output();
  std::cout << "engine killed to the run's exit: "
            << std::chrono::duration_cast<Milliseconds>(std::chrono::steady_clock::now() - killed)
                 .count()
            << " ms\n" << output.substr(output.find("error: the Docker engine") == std::string::npos
                                       ? output.size()
                                       : output.find("error: the Docker engine"));

  EXPECT_EQ(exit.exit_code, 7) << output;
  EXPECT_NE(output.find("stopped answering during the run and does not answer now"),
            std::string::npos)
    << output;
  EXPECT_NE(output.find("left on the engine: what remains of the stack"), std::string::npos)
    << output;
  EXPECT_NE(output.find("removes it as soon as the engine answers again"), std::string::npos)
    << output;
  EXPECT_NE(output.find("`orchestrate cleanup` removes it"), std::string::npos) << output;
  EXPECT_EQ(output.find("could not remove The Docker engine"), std::string::npos) << output;

  m_engine->start_engine();
  expect_everything_removed_by_the_reaper(output);
}

TEST_F(EngineLossTest, EngineRestartedMidRunEndsTheRunWithExitSevenAndLeavesNothing)
{
  auto run = start_run();
  wait_for_a_healthy_stack();
  m_engine->kill_engine();
  std::this_thread::sleep_for(Milliseconds(1'000));
  const auto restarting = std::chrono::steady_clock::now();
  m_engine->start_engine();
  std::cout << "engine restart: "
            << std::chrono::duration_cast<Milliseconds>(std::chrono::steady_clock::now() -
                                                        restarting).count()
            << " ms\n";
  const auto exit = run.wait(Milliseconds(180'000));
  const auto output = run.output();
  std::cout << output.substr(output.find("error: the Docker engine") == std::string::npos
                               ? output.size()
                               : output.find("error: the Docker engine"));

  EXPECT_EQ(exit.exit_code, 7) << output;
  EXPECT_NE(output.find("stopped answering during the run"), std::string::npos) << output;
  const auto left = resources_with_label(*m_client, m_project.label());
  if (output.find("left on the engine") == std::string::npos) {
    // The run removed everything itself once the engine was back.
    EXPECT_NE(output.find("Nothing of the run is left on it."), std::string::npos) << output;
    EXPECT_EQ(left, "") << output;
  } else {
    expect_everything_removed_by_the_reaper(output);
  }
}

}  // namespace
}  // namespace orchestrate::testing
