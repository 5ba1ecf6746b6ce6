// Warm stacks (--reuse, docs/warm-stacks.md) on the real engine: what a test leaves in a stack is
// gone for the next run, concurrent runs never share a stack, a changed compose file retires the
// pool, a killed run's stacks expire, and `pool down` leaves nothing.

#include "OrchestrateCli.hpp"
#include "process/ProcStat.hpp"
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
    # Read when the test runs and from outside the collected folder, so a warm worker stays fresh.
    sleep_file = pathlib.Path(__file__).parent.parent.parent / "sleep.txt"
    time.sleep(float(sleep_file.read_text()) if sleep_file.exists()
               else float(os.environ.get("MARK_SLEEP", "0")))
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
    // Whatever a test leaves in the pool goes, and nothing of this project may be left: no
    // container, and no warm worker on the host.
    pool("down");
    EXPECT_TRUE(leftovers_with_label(project.label()).empty())
      << leftovers_with_label(project.label()).describe();
    EXPECT_TRUE(eventually([&] { return warm_workers().empty(); }, Milliseconds(5'000)));
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

  // The pids of this project's warm pytest workers still running on the host.
  std::vector<int> warm_workers() const
  {
    const std::string marker =
      "ORCHESTRATE_PYTEST_WORKER_READY_FILE=" + project.root().string() + "/";
    std::vector<int> pids;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) {
        continue;
      }
      std::ifstream in(entry.path() / "environ", std::ios::binary);
      const std::string environ((std::istreambuf_iterator<char>(in)), {});
      if (environ.find(marker) != std::string::npos) {
        pids.push_back(std::stoi(name));
      }
    }
    return pids;
  }

  static std::string describe_processes(const std::vector<int>& pids)
  {
    std::string text;
    for (const int pid : pids) {
      std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
      std::string command((std::istreambuf_iterator<char>(in)), {});
      std::replace(command.begin(), command.end(), '\0', ' ');
      text += std::to_string(pid) + ": " + command + "\n";
    }
    return text;
  }

  // The pool's folder of this project's `test` environment.
  std::filesystem::path pool_folder() const
  {
    return project.root() / ".orchestrate/pool/test";
  }

  // What the pool's folder holds, and its warm workers' logs: for a failure's message.
  std::string describe_pool_folder() const
  {
    std::string text;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(pool_folder())) {
      text += entry.path().string() + "\n";
      if (entry.path().filename() == "worker.log") {
        std::ifstream in(entry.path());
        text += std::string((std::istreambuf_iterator<char>(in)), {});
      }
    }
    return text;
  }

  // Waits until every stack of the pool has a warm worker that has collected.
  ::testing::AssertionResult warm_workers_ready() const
  {
    if (wait_for_warm_workers()) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "warm workers not ready:\n" << describe_pool_folder();
  }

  bool wait_for_warm_workers() const
  {
    return eventually(
      [&] {
        bool any = false;
        for (const auto& entry : std::filesystem::directory_iterator(pool_folder())) {
          if (entry.is_directory()) {
            any = true;
            if (!std::filesystem::exists(entry.path() / "worker/worker.ready")) {
              return false;
            }
          }
        }
        return any;
      },
      Milliseconds(30'000));
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
  // The reset runs when the first run returns the stack (so that the next run's first test need
  // not wait for it): it fails there, and the stack is removed rather than pooled.
  set_redis_reset("{exec: [\"sh\", \"-c\", \"exit 3\"]}");
  const auto first = run_marks({"--reuse"});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("exited with code 3"), std::string::npos) << first.output;
  EXPECT_TRUE(stacks_on_engine().empty());
  const auto second = run_marks({"--reuse"});
  EXPECT_EQ(second.exit_code, 0) << second.output;
  const auto seen = sightings();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NE(seen[1].stack, seen[0].stack);
  EXPECT_EQ(seen[1].seen, "-");
  EXPECT_EQ(stacks_on_engine().count(seen[0].stack), 0u);
}

TEST_F(WarmStackTest, AFailingResetWhenClaimingAStackLeftUncleanStartsAFreshOne)
{
  // A stack whose run was killed is returned unclean (as the record says here): the claim resets it.
  set_redis_reset("{exec: [\"redis-cli\", \"FLUSHALL\"]}");
  ASSERT_EQ(run_marks({"--reuse"}).exit_code, 0);
  const auto stack = sightings().at(0).stack;
  const auto record_file = pool_folder() / (stack + ".json");
  auto record = nlohmann::json::parse(std::ifstream(record_file));
  ASSERT_TRUE(record["clean"].get<bool>());
  record["clean"] = false;
  std::ofstream(record_file) << record.dump();
  set_redis_reset("{exec: [\"sh\", \"-c\", \"exit 3\"]}");

  const auto second = run_marks({"--reuse"});
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("could not reset warm stack " + stack), std::string::npos)
    << second.output;
  const auto seen = sightings();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NE(seen[1].stack, stack);
  EXPECT_EQ(stacks_on_engine().count(stack), 0u);
}

TEST_F(WarmStackTest, TheSecondRunAdoptsAWarmWorkerThatImportedBeforeItStarted)
{
  set_redis_reset("{exec: [\"redis-cli\", \"FLUSHALL\"]}");
  // Every import of the test module is noted with its process; every test run too.
  project.write("suites/marks/test_pid.py",
                "import os\n"
                "with open(os.path.join(os.path.dirname(__file__), '..', 'imports.txt'), 'a') as f:\n"
                "    f.write('%d\\n' % os.getpid())\n"
                "def test_notes_its_process():\n"
                "    with open(os.path.join(os.path.dirname(__file__), '..', 'ran.txt'), 'a') as f:\n"
                "        f.write('%d\\n' % os.getpid())\n");
  // Each session's end is noted too: an adopted worker ends its session as any worker does.
  project.write("suites/marks/conftest.py",
                "import os\nimport pytest\n\n"
                "@pytest.fixture(scope='session', autouse=True)\n"
                "def session_end_is_noted():\n"
                "    yield\n"
                "    with open(os.path.join(os.path.dirname(__file__), '..', 'ends.txt'), 'a') as f:\n"
                "        f.write('%d\\n' % os.getpid())\n");
  // One shard: one stack, one warm worker, both tests in it.
  ASSERT_EQ(run_marks({"--reuse", "-n", "1"}).exit_code, 0);
  ASSERT_TRUE(warm_workers_ready());
  ASSERT_EQ(warm_workers().size(), 1u) << describe_processes(warm_workers());
  std::set<int> imported_before;
  {
    std::ifstream in(project.root() / "suites/imports.txt");
    for (int pid = 0; in >> pid;) {
      imported_before.insert(pid);
    }
  }

  const auto second = run_marks(
    {"--reuse", "-n", "1", "--report-json", (project.root() / "second.json").string()});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_TRUE(report("second.json")["shards"][0]["warm_worker"].get<bool>());
  std::vector<int> ran;
  std::ifstream in(project.root() / "suites/ran.txt");
  for (int pid = 0; in >> pid;) {
    ran.push_back(pid);
  }
  ASSERT_EQ(ran.size(), 2u);
  EXPECT_TRUE(imported_before.contains(ran[1])) << "the second run's test ran in pid " << ran[1];
  std::set<int> ended;
  std::ifstream ends(project.root() / "suites/ends.txt");
  for (int pid = 0; ends >> pid;) {
    ended.insert(pid);
  }
  EXPECT_TRUE(ended.contains(ran[1])) << "the adopted worker's session teardown did not run";
  EXPECT_EQ(sightings().at(1).seen, "-");  // and its stack was reset all the same
  // What the warm worker wrote after its adoption went to the second run's shard log.
  std::ifstream log(project.root() / ".orchestrate/runs" / sightings().at(1).run /
                    "shard-1/tests.log");
  const std::string text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(text.find("2 passed"), std::string::npos) << text;
}

TEST_F(WarmStackTest, AnEditedTestOrARunIdReadAtImportGetsAFreshWorker)
{
  set_redis_reset("none");
  ASSERT_EQ(run_marks({"--reuse"}).exit_code, 0);
  ASSERT_TRUE(warm_workers_ready());
  // Edited after the warm worker imported it: the warm worker would run the old test.
  project.write("suites/marks/test_marks.py",
                std::string(k_marking_test) + "\n\ndef test_added_later():\n    pass\n");
  const auto edited =
    run_marks({"--reuse", "--report-json", (project.root() / "edited.json").string()});
  ASSERT_EQ(edited.exit_code, 0) << edited.output;
  EXPECT_FALSE(report("edited.json")["shards"][0]["warm_worker"].get<bool>());
  EXPECT_NE(edited.output.find("2 passed"), std::string::npos) << edited.output;

  // A module that keeps the run's id from its import cannot serve another run.
  ASSERT_TRUE(warm_workers_ready());
  project.write("suites/marks/conftest.py",
                "import os\nIMPORTED_IN = os.environ['ORCHESTRATE_RUN_ID']\n\n"
                "def pytest_runtest_setup(item):\n"
                "    assert IMPORTED_IN == os.environ['ORCHESTRATE_RUN_ID']\n");
  ASSERT_EQ(run_marks({"--reuse"}).exit_code, 0);  // its worker parks with the conftest
  ASSERT_TRUE(warm_workers_ready());
  const auto reads_run_id =
    run_marks({"--reuse", "--report-json", (project.root() / "run-id.json").string()});
  EXPECT_EQ(reads_run_id.exit_code, 0) << reads_run_id.output;
  EXPECT_FALSE(report("run-id.json")["shards"][0]["warm_worker"].get<bool>());
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

TEST_F(WarmStackTest, AKilledRunsAdoptedWorkerEndsAtOnceAndItsStacksOnceTheirDeadlinePassed)
{
  set_redis_reset("none");
  ASSERT_EQ(run_marks({"--reuse", "--reuse-ttl", "3s"}).exit_code, 0);
  ASSERT_EQ(stacks_on_engine().size(), 1u);
  ASSERT_TRUE(warm_workers_ready());
  ASSERT_EQ(warm_workers().size(), 1u);
  const int parked_pid = warm_workers().front();
  project.write("sleep.txt", "15");

  ProcessOptions options;
  options.argv = {ORCHESTRATE_BINARY, "-C",    project.root().string(), "--suite", "marks",
                  "--reuse",          "--reuse-ttl", "3s"};
  options.output_file = project.root() / "killed.out";
  ChildProcess orchestrate(options);
  // The warm stack is claimed, and its warm worker adopted, once its test runs.
  ASSERT_TRUE(eventually([&] { return sightings().size() == 2; }, Milliseconds(60'000)));
  // The worker parked by the first run runs the test now (adopted); another may be starting for
  // the next run already, since the shard has no more tests to take.
  const auto workers = warm_workers();
  ASSERT_NE(std::find(workers.begin(), workers.end(), parked_pid), workers.end())
    << describe_processes(workers);
  ::kill(orchestrate.pid(), SIGKILL);
  orchestrate.wait(Milliseconds(10'000), false);

  // The adopted worker is no child of the run: it ends itself (and its test) when the run's end
  // of its socket closes, as the kernel ends the workers a run starts.
  EXPECT_TRUE(eventually([&] { return !process_is_running(parked_pid); }, Milliseconds(5'000)))
    << describe_processes(warm_workers());
  // Its claim died with it; the keeper removes the stack past the deadline (3 s after the claim).
  EXPECT_TRUE(eventually([&] { return leftovers_with_label(project.label()).empty(); },
                         Milliseconds(30'000)))
    << leftovers_with_label(project.label()).describe();
  EXPECT_TRUE(eventually([&] { return warm_workers().empty(); }, Milliseconds(5'000)))
    << describe_processes(warm_workers());
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

  ASSERT_TRUE(warm_workers_ready());
  EXPECT_EQ(warm_workers().size(), 1u);
  const auto down = pool("down");
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_TRUE(leftovers_with_label(project.label()).empty())
    << leftovers_with_label(project.label()).describe();
  EXPECT_TRUE(warm_workers().empty());
  EXPECT_NE(pool("status").output.find("no warm stacks"), std::string::npos);
}

}  // namespace
}  // namespace orchestrate
