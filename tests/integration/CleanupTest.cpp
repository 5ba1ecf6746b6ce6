// `orchestrate cleanup` and sweep_stale_resources() against the real engine. Every sweep here is
// scoped to a project prefix unique to the test (other people use this engine at the same time),
// and every resource carries a label unique to the test, so that it can be checked gone.

#include "OrchestrateCli.hpp"
#include "cleanup/StaleSweep.hpp"
#include "docker/DockerEngine.hpp"
#include "docker/ResourceLabels.hpp"
#include "locking/OwnerIdentity.hpp"
#include "process/ProcStat.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <thread>

namespace orchestrate {
namespace {

using testing::run_orchestrate;
using testing::ScratchProject;

constexpr const char* k_image = "orchestrate/busybox:latest";
constexpr const char* k_test_label = "io.orchestrate.test";

// The owner label of a process that ran `true` on this host and has ended.
std::string dead_owner_label()
{
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execlp("true", "true", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  EXPECT_GT(pid, 0);
  // Read while it is at worst a zombie: the start time stays readable until it is reaped.
  auto stat = read_proc_stat(pid);
  EXPECT_TRUE(stat);
  EXPECT_EQ(::waitpid(pid, nullptr, 0), pid);
  return to_label({current_host(), pid, stat ? stat->start_ticks : 1});
}

// Creates containers, networks and volumes named after the test, each labelled with the test's
// unique label plus whatever else it is given; removes them all on destruction.
class ResourceFactory
{
public:
  explicit ResourceFactory(std::string prefix)
    : m_id(unique_test_id()),
      m_prefix(std::move(prefix)),
      m_cleanup(label())
  {
  }

  std::string label() const
  {
    return std::string(k_test_label) + "=" + m_id;
  }

  const std::string& id() const
  {
    return m_id;
  }

  // The labels a run of the scratch project puts on its resources, owned by `owner`.
  std::map<std::string, std::string> ours(const std::string& owner,
                                          const std::string& environment = "test") const
  {
    StackOwnership ownership;
    ownership.project_prefix = m_prefix;
    ownership.environment = environment;
    ownership.run_id = "r" + m_id;
    ownership.shard = 1;
    ownership.stack = m_prefix + "-" + environment + "-r" + m_id + "-s1";
    ownership.owner = owner;
    ownership.created_unix_seconds = std::time(nullptr);
    return ownership_labels(ownership);
  }

  // A running container (sleep) on `network` when given.
  std::string container(const std::string& name, const std::map<std::string, std::string>& labels,
                        const std::string& network = "")
  {
    std::vector<std::string> command{"run", "-d", "--name", name};
    if (!network.empty()) {
      command.insert(command.end(), {"--network", network});
    }
    create(command, labels, {k_image, "sleep", "600"});
    return name;
  }

  std::string network(const std::string& name, const std::map<std::string, std::string>& labels)
  {
    create({"network", "create"}, labels, {name});
    return name;
  }

  std::string volume(const std::string& name, const std::map<std::string, std::string>& labels)
  {
    create({"volume", "create"}, labels, {name});
    return name;
  }

  // What of the test's resources still exists.
  Leftovers left() const
  {
    return leftovers_with_label(label());
  }

  void remove_all()
  {
    m_cleanup.remove_now();
  }

private:
  // Runs `docker <command> --label ... <operands>` with the test's label added to `labels`.
  void create(std::vector<std::string> command, std::map<std::string, std::string> labels,
              const std::vector<std::string>& operands) const
  {
    labels[k_test_label] = m_id;
    for (const auto& [key, value] : labels) {
      command.insert(command.end(), {"--label", key + "=" + value});
    }
    command.insert(command.end(), operands.begin(), operands.end());
    run_docker(command);
  }

  std::string m_id;
  std::string m_prefix;
  DockerCleanup m_cleanup;
};

bool contains(const std::vector<std::string>& names, const std::string& name)
{
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

testing::CliRun cleanup(const ScratchProject& project, std::vector<std::string> arguments = {})
{
  arguments.insert(arguments.begin(), {"cleanup", "-C", project.root().string()});
  return run_orchestrate(arguments);
}

class CleanupTest : public ::testing::Test
{
protected:
  ScratchProject m_project;
  ResourceFactory m_make{m_project.prefix()};

  void TearDown() override
  {
    m_make.remove_all();
    const auto left = m_make.left();
    EXPECT_TRUE(left.empty()) << left.describe();
  }
};

TEST_F(CleanupTest, RemovesResourcesOfDeadOwnersAndKeepsThoseOfLiveOwners)
{
  const auto dead = m_make.ours(dead_owner_label());
  const auto alive = m_make.ours(to_label(current_owner()));
  const auto id = m_make.id();
  const auto stale_network = m_make.network("stale-net-" + id, dead);
  const auto stale_container = m_make.container("stale-" + id, dead, stale_network);
  const auto stale_volume = m_make.volume("stale-vol-" + id, dead);
  const auto live_network = m_make.network("live-net-" + id, alive);
  const auto live_container = m_make.container("live-" + id, alive, live_network);
  const auto live_volume = m_make.volume("live-vol-" + id, alive);

  const auto run = cleanup(m_project);

  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "removed container " + stale_container + ": owner dead"))
    << run.output;
  EXPECT_TRUE(contains(run.output, "removed network " + stale_network)) << run.output;
  EXPECT_TRUE(contains(run.output, "removed volume " + stale_volume)) << run.output;
  EXPECT_TRUE(contains(run.output, "cleanup: 3 removed, 0 could not be removed")) << run.output;
  const auto left = m_make.left();
  EXPECT_EQ(left.containers, std::vector<std::string>{live_container}) << left.describe();
  EXPECT_EQ(left.networks, std::vector<std::string>{live_network}) << left.describe();
  EXPECT_EQ(left.volumes, std::vector<std::string>{live_volume}) << left.describe();
}

TEST_F(CleanupTest, DryRunListsStaleResourcesAndRemovesNothing)
{
  const auto dead = m_make.ours(dead_owner_label());
  const auto id = m_make.id();
  const auto container = m_make.container("stale-" + id, dead);
  const auto volume = m_make.volume("stale-vol-" + id, dead);

  const auto run = cleanup(m_project, {"--dry-run"});

  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "would remove container " + container + ": owner dead"))
    << run.output;
  EXPECT_TRUE(contains(run.output, "would remove volume " + volume)) << run.output;
  EXPECT_TRUE(contains(run.output, "cleanup: 2 would be removed")) << run.output;
  const auto left = m_make.left();
  EXPECT_TRUE(contains(left.containers, container)) << left.describe();
  EXPECT_TRUE(contains(left.volumes, volume)) << left.describe();
}

TEST_F(CleanupTest, ForeignResourcesSurviveARunAndCleanupEvenWithOlderThanZero)
{
  const auto id = m_make.id();
  const auto prefix = m_project.prefix();
  // Named like ours, but without our labels: a name filter would have taken them.
  const auto foreign_container = m_make.container("test-foo-" + id, {});
  const auto foreign_network = m_make.network(prefix + "-test-x-" + id, {});
  const auto foreign_volume = m_make.volume("unlabelled-" + id, {});
  // Ours in every way except that managed is not "true".
  auto almost = m_make.ours(dead_owner_label());
  almost[labels::k_managed] = "false";
  const auto almost_ours = m_make.container(prefix + "-test-almost-" + id, almost);
  // A developer's dev stack whose `env up` process has long ended (an env stack: no run id).
  auto dev_stack = m_make.ours(dead_owner_label(), "dev");
  dev_stack[labels::k_run] = "";
  const auto dev_container = m_make.container(prefix + "-dev-db-" + id, dev_stack);

  for (const auto& arguments :
       {std::vector<std::string>{}, std::vector<std::string>{"--older-than", "0s"}}) {
    const auto run = cleanup(m_project, arguments);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_TRUE(contains(run.output, "cleanup: nothing to remove")) << run.output;
    const auto left = m_make.left();
    for (const auto& name : {foreign_container, almost_ours, dev_container}) {
      EXPECT_TRUE(contains(left.containers, name)) << name << ": " << left.describe();
    }
    EXPECT_TRUE(contains(left.networks, foreign_network)) << left.describe();
    EXPECT_TRUE(contains(left.volumes, foreign_volume)) << left.describe();
  }

  // A whole run (with its stale sweep at the start and its teardown at the end) leaves them too.
  m_project.write("suites/quick.yaml", "paths: [suites/quick]\nfixtures: [postgres]\n");
  m_project.write("suites/quick/test_quick.py", "def test_quick():\n    assert True\n");
  const auto test_run = m_project.run({"--suite", "quick"});
  EXPECT_EQ(test_run.exit_code, 0) << test_run.output;
  {
    const auto left = m_make.left();
    for (const auto& name : {foreign_container, almost_ours, dev_container}) {
      EXPECT_TRUE(contains(left.containers, name)) << name << ": " << left.describe();
    }
    EXPECT_TRUE(contains(left.networks, foreign_network)) << left.describe();
    EXPECT_TRUE(contains(left.volumes, foreign_volume)) << left.describe();
  }

  // A dev sweep keeps the env stack too ("owner dead" only means `env up` returned); only asked
  // for explicitly does it take the dev stack, and nothing else.
  const auto dev_sweep = cleanup(m_project, {"--env", "dev"});
  EXPECT_EQ(dev_sweep.exit_code, 0) << dev_sweep.output;
  EXPECT_TRUE(contains(m_make.left().containers, dev_container)) << dev_sweep.output;
  const auto run = cleanup(m_project, {"--env", "dev", "--include-env-stacks"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "removed container " + dev_container)) << run.output;
  const auto left = m_make.left();
  EXPECT_FALSE(contains(left.containers, dev_container)) << left.describe();
  EXPECT_EQ(left.containers.size(), 2u) << left.describe();
  EXPECT_EQ(left.networks, std::vector<std::string>{foreign_network}) << left.describe();
  EXPECT_EQ(left.volumes, std::vector<std::string>{foreign_volume}) << left.describe();
}

TEST_F(CleanupTest, OlderThanRemovesLiveOwnersResourcesButNotOtherProjects)
{
  const auto id = m_make.id();
  const auto live = m_make.container("live-" + id, m_make.ours(to_label(current_owner())));
  // Another project's stale resource: outside the -C project's prefix.
  auto other = m_make.ours(dead_owner_label());
  other[labels::k_project] = m_project.prefix() + "-other";
  const auto other_project = m_make.container("other-project-" + id, other);

  const auto run = cleanup(m_project, {"--older-than", "0s"});

  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "removed container " + live + ": older than 0s")) << run.output;
  const auto left = m_make.left();
  EXPECT_EQ(left.containers, std::vector<std::string>{other_project}) << left.describe();
}

TEST_F(CleanupTest, SweepRemovesAContainerBeforeTheNetworkItIsAttachedTo)
{
  const auto dead = m_make.ours(dead_owner_label());
  const auto id = m_make.id();
  const auto network = m_make.network("stale-net-" + id, dead);
  m_make.container("stale-a-" + id, dead, network);
  m_make.container("stale-b-" + id, dead, network);
  DockerEngine engine;
  SweepOptions options;
  options.project_prefix = m_project.prefix();

  const auto swept = sweep_stale_resources(engine, options);

  ASSERT_EQ(swept.size(), 3u);
  EXPECT_EQ(swept[0].kind, "container");
  EXPECT_EQ(swept[1].kind, "container");
  EXPECT_EQ(swept[2].kind, "network");
  for (const auto& resource : swept) {
    EXPECT_TRUE(resource.removed) << resource.kind << " " << resource.name;
  }
  EXPECT_TRUE(m_make.left().empty()) << m_make.left().describe();
}

TEST_F(CleanupTest, WatchSweepsRepeatedlyUntilSigterm)
{
  ProcessOptions options;
  options.argv = {ORCHESTRATE_BINARY, "cleanup", "-C", m_project.root().string(), "--watch",
                  "500ms"};
  options.capture_output = true;
  ChildProcess watcher(options);
  // Created after the watcher started: only a later round can find it.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  const auto container = m_make.container("stale-" + m_make.id(), m_make.ours(dead_owner_label()));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!m_make.left().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(m_make.left().empty()) << m_make.left().describe();

  ASSERT_EQ(::kill(watcher.pid(), SIGTERM), 0);
  const auto exit = watcher.wait(Milliseconds(5'000), false);
  const auto output = watcher.output();
  EXPECT_EQ(exit.exit_code, 0) << output;
  EXPECT_FALSE(exit.timed_out) << output;
  EXPECT_TRUE(contains(output, "removed container " + container)) << output;
  EXPECT_TRUE(contains(output, "cleanup: stopped")) << output;
}

TEST(CleanupCliTest, RejectsAWatchIntervalThatIsNotADuration)
{
  const auto run = run_orchestrate({"cleanup", "--watch", "often"});
  EXPECT_EQ(run.exit_code, 4) << run.output;
  EXPECT_TRUE(contains(run.output, "--watch")) << run.output;
}

}  // namespace
}  // namespace orchestrate
