// Warm stacks (--reuse, docs/warm-stacks.md) on the real engine: what a test leaves in a stack is
// gone for the next run, concurrent runs never share a stack, a changed compose file retires the
// pool, a killed run's stacks expire, and `pool down` leaves nothing.

#include "OrchestrateCli.hpp"
#include "support/Eventually.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <future>
#include <set>
#include <sstream>

namespace orchestrate {
namespace {

using testing::CliRun;
using testing::k_source_dir;
using testing::ScratchProject;

// Each test records the stack it ran on (COMPOSE_PROJECT_NAME), the run, and what it found in
// Redis from earlier runs, then leaves a mark there.
constexpr const char* k_marking_test = R"(import os
import pathlib
import time

import redis


def test_marks_the_stack():
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    seen = client.get("mark")
    line = "{} {} {}\n".format(os.environ["ORCHESTRATE_RUN_ID"], os.environ["COMPOSE_PROJECT_NAME"],
                               seen.decode() if seen else "-")
    with open(pathlib.Path(__file__).parent.parent / "seen.txt", "a") as out:
        out.write(line)
    client.set("mark", "left-by-" + os.environ["ORCHESTRATE_RUN_ID"])
    time.sleep(float(os.environ.get("MARK_SLEEP", "0")))
)";

struct Sighting
{
  std::string run;
  std::string stack;
  std::string seen;  // "-": nothing left by an earlier run
};

class WarmStackTest : public ::testing::Test
{
protected:
  WarmStackTest()
  {
    // The repository's test stack, copied so that a test can edit it.
    for (const auto* file : {"docker-compose.test.yml", "docker-compose.base.yml"}) {
      std::filesystem::create_directories(project.root() / "compose");
      std::filesystem::copy_file(k_source_dir / "compose" / file, project.root() / "compose" / file);
    }
    project.write_orchestrate_yaml((project.root() / "compose/docker-compose.test.yml").string());
    project.write("suites/marks.yaml", "paths: [suites/marks]\nfixtures: [redis]\n");
    project.write("suites/marks/test_marks.py", k_marking_test);
  }

  ~WarmStackTest() override
  {
    // Whatever a test leaves in the pool goes, and nothing of this project may be left.
    pool("down");
    EXPECT_TRUE(leftovers_with_label(project.label()).empty())
      << leftovers_with_label(project.label()).describe();
  }

  void set_redis_reset(const std::string& reset)
  {
    project.write("fixtures/redis.yaml",
                  "service: test-redis\nport: 6379\nreadiness: {kind: health}\n"
                  "environment: {REDIS_URL: \"redis://{host}:{port}/0\"}\n"
                  "reset: " + reset + "\n");
  }

  // `orchestrate pool <action>` for this project.
  CliRun pool(const std::string& action) const
  {
    return testing::run_orchestrate({"pool", action, "-C", project.root().string()});
  }

  CliRun run_marks(const std::vector<std::string>& extra = {}) const
  {
    std::vector<std::string> arguments{"--suite", "marks", "-q", "--progress", "lines"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return project.run(arguments);
  }

  std::vector<Sighting> sightings() const
  {
    std::vector<Sighting> result;
    std::ifstream in(project.root() / "suites/seen.txt");
    for (Sighting sighting; in >> sighting.run >> sighting.stack >> sighting.seen;) {
      result.push_back(sighting);
    }
    return result;
  }

  nlohmann::json report(const std::string& name) const
  {
    std::ifstream in(project.root() / name);
    return nlohmann::json::parse(in);
  }

  // The stacks (compose projects) of this project's containers on the engine now.
  std::set<std::string> stacks_on_engine() const
  {
    std::set<std::string> stacks;
    std::istringstream names(run_docker({"ps", "-a", "--filter", "label=" + project.label(),
                                         "--format", "{{.Label \"io.orchestrate.stack\"}}"}));
    for (std::string name; std::getline(names, name);) {
      if (!name.empty()) {
        stacks.insert(name);
      }
    }
    return stacks;
  }

  // Runs the suite twice with --reuse and returns what the second run's test found.
  Sighting second_run_sighting()
  {
    const auto first =
      run_marks({"--reuse", "--report-json", (project.root() / "first.json").string()});
    EXPECT_EQ(first.exit_code, 0) << first.output;
    const auto second =
      run_marks({"--reuse", "--report-json", (project.root() / "second.json").string()});
    EXPECT_EQ(second.exit_code, 0) << second.output;
    const auto seen = sightings();
    EXPECT_EQ(seen.size(), 2u);
    if (seen.size() != 2) {
      return {};
    }
    EXPECT_EQ(seen[0].seen, "-");
    // The same stack, claimed warm: that is what makes the second run fast.
    EXPECT_EQ(seen[1].stack, seen[0].stack);
    EXPECT_FALSE(report("first.json")["shards"][0]["warm_stack"].get<bool>());
    EXPECT_TRUE(report("second.json")["shards"][0]["warm_stack"].get<bool>());
    return seen[1];
  }

  ScratchProject project;
  DockerCleanup safety_net{project.label()};
};

TEST_F(WarmStackTest, AnExecResetHidesWhatTheFirstRunLeft)
{
  set_redis_reset("{exec: [\"sh\", \"-c\", \"test \\\"$(redis-cli FLUSHALL)\\\" = OK\"]}");
  EXPECT_EQ(second_run_sighting().seen, "-");
}

TEST_F(WarmStackTest, ARecreateResetHidesWhatTheFirstRunLeft)
{
  set_redis_reset("recreate");
  EXPECT_EQ(second_run_sighting().seen, "-");
}

TEST_F(WarmStackTest, NoResetKeepsWhatTheFirstRunLeftForAStatelessService)
{
  // `none` is for services without state: the stack is reused as it is.
  set_redis_reset("none");
  EXPECT_NE(second_run_sighting().seen, "-");
}

TEST_F(WarmStackTest, AFailingResetRemovesTheStackAndStartsAFreshOne)
{
  set_redis_reset("{exec: [\"sh\", \"-c\", \"exit 3\"]}");
  ASSERT_EQ(run_marks({"--reuse"}).exit_code, 0);
  const auto second = run_marks({"--reuse"});
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("exited with code 3"), std::string::npos) << second.output;
  const auto seen = sightings();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NE(seen[1].stack, seen[0].stack);
  EXPECT_EQ(seen[1].seen, "-");
  EXPECT_EQ(stacks_on_engine().count(seen[0].stack), 0u);
}

TEST_F(WarmStackTest, TwoConcurrentRunsNeverShareAStack)
{
  set_redis_reset("{exec: [\"redis-cli\", \"FLUSHALL\"]}");
  project.write("suites/marks/test_more.py",
                "from test_marks import test_marks_the_stack as test_again\n");
  // Two warm stacks in the pool, then two runs of two shards each at the same time, each test
  // long enough for the runs to overlap.
  ASSERT_EQ(run_marks({"--reuse", "-n", "2"}).exit_code, 0);
  std::filesystem::remove(project.root() / "suites/seen.txt");
  project.write("suites/marks/conftest.py",
                "import os\nos.environ['MARK_SLEEP'] = '2'\n");
  auto first = std::async(std::launch::async, [&] { return run_marks({"--reuse", "-n", "2"}); });
  auto second = std::async(std::launch::async, [&] { return run_marks({"--reuse", "-n", "2"}); });
  const auto first_run = first.get();
  const auto second_run = second.get();
  ASSERT_EQ(first_run.exit_code, 0) << first_run.output;
  ASSERT_EQ(second_run.exit_code, 0) << second_run.output;

  std::map<std::string, std::set<std::string>> stacks_by_run;
  for (const auto& sighting : sightings()) {
    stacks_by_run[sighting.run].insert(sighting.stack);
  }
  ASSERT_EQ(stacks_by_run.size(), 2u);
  const auto& a = stacks_by_run.begin()->second;
  const auto& b = std::next(stacks_by_run.begin())->second;
  std::vector<std::string> shared;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(shared));
  EXPECT_TRUE(shared.empty()) << "shared: " << shared.front();
}

TEST_F(WarmStackTest, AChangedComposeFileStartsFreshStacksAndRemovesTheStaleOnes)
{
  set_redis_reset("none");
  ASSERT_EQ(run_marks({"--reuse"}).exit_code, 0);
  std::ofstream(project.root() / "compose/docker-compose.test.yml", std::ios::app)
    << "\n# edited: the key changes with the text\n";
  const auto second = run_marks({"--reuse"});
  ASSERT_EQ(second.exit_code, 0) << second.output;

  const auto seen = sightings();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NE(seen[1].stack, seen[0].stack);
  EXPECT_EQ(seen[1].seen, "-");
  EXPECT_EQ(stacks_on_engine(), std::set<std::string>{seen[1].stack});
}

TEST_F(WarmStackTest, AKilledRunsWarmStacksAreGoneOnceTheirDeadlinePassed)
{
  set_redis_reset("none");
  ASSERT_EQ(run_marks({"--reuse", "--reuse-ttl", "3s"}).exit_code, 0);
  ASSERT_EQ(stacks_on_engine().size(), 1u);
  project.write("suites/marks/conftest.py", "import os\nos.environ['MARK_SLEEP'] = '15'\n");

  ProcessOptions options;
  options.argv = {ORCHESTRATE_BINARY, "-C",    project.root().string(), "--suite", "marks",
                  "--reuse",          "--reuse-ttl", "3s"};
  options.output_file = project.root() / "killed.out";
  ChildProcess orchestrate(options);
  // The warm stack is claimed once its test runs.
  ASSERT_TRUE(eventually([&] { return !sightings().empty(); }, Milliseconds(60'000)));
  ::kill(orchestrate.pid(), SIGKILL);
  orchestrate.wait(Milliseconds(10'000), false);

  // Its claim died with it; the keeper removes the stack past the deadline (3 s after the claim).
  EXPECT_TRUE(eventually([&] { return leftovers_with_label(project.label()).empty(); },
                         Milliseconds(30'000)))
    << leftovers_with_label(project.label()).describe();
}

TEST_F(WarmStackTest, PoolDownLeavesNothingAndARunWithoutReuseNeverTouchesThePool)
{
  set_redis_reset("none");
  ASSERT_EQ(run_marks({"--reuse", "-n", "2"}).exit_code, 0);
  const auto warm = stacks_on_engine();
  ASSERT_EQ(warm.size(), 1u);  // one test, one shard

  const auto plain = run_marks();
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_EQ(stacks_on_engine(), warm);  // its own stack removed, the warm one untouched
  EXPECT_NE(sightings().back().stack, *warm.begin());

  const auto status = pool("status");
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find(*warm.begin()), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("in 1"), std::string::npos) << status.output;  // in 14m..15m

  const auto down = pool("down");
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_TRUE(leftovers_with_label(project.label()).empty())
    << leftovers_with_label(project.label()).describe();
  EXPECT_NE(pool("status").output.find("no warm stacks"), std::string::npos);
}

}  // namespace
}  // namespace orchestrate
