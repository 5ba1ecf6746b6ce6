#include "cleanup/StaleVerdict.hpp"
#include "docker/ResourceLabels.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::system_clock;

const system_clock::time_point k_now{seconds(1'700'000'000)};

// Owner states decided by pid, so each test says plainly whose resource it judges.
constexpr int k_dead_pid = 100;
constexpr int k_alive_pid = 200;
constexpr int k_other_host_pid = 300;

OwnerState fake_owner_state(const OwnerIdentity& owner)
{
  switch (owner.pid) {
  case k_dead_pid:
    return OwnerState::k_dead;
  case k_alive_pid:
    return OwnerState::k_alive;
  default:
    return OwnerState::k_other_host;
  }
}

// A resource of project "shop", env "test", created `age` before k_now, owned by `owner_pid`.
std::map<std::string, std::string> resource(int owner_pid, seconds age = seconds(60))
{
  StackOwnership ownership;
  ownership.project_prefix = "shop";
  ownership.environment = "test";
  ownership.run_id = "r1";
  ownership.shard = 1;
  ownership.stack = "shop-test-r1-s1";
  ownership.owner = "box:" + std::to_string(owner_pid) + ":12345";
  ownership.created_unix_seconds =
    std::chrono::duration_cast<seconds>((k_now - age).time_since_epoch()).count();
  return ownership_labels(ownership);
}

StaleVerdict judge(const std::map<std::string, std::string>& labels, const SweepOptions& options)
{
  return judge_resource(labels, k_now, options, fake_owner_state);
}

SweepOptions older_than(Milliseconds age)
{
  SweepOptions options;
  options.older_than = age;
  return options;
}

TEST(StaleVerdictTest, RemovesResourceWhoseOwnerIsDead)
{
  auto verdict = judge(resource(k_dead_pid), SweepOptions{});
  EXPECT_TRUE(verdict.remove);
  EXPECT_EQ(verdict.reason, "owner dead (box:100:12345)");
}

TEST(StaleVerdictTest, KeepsAWarmPoolStackWhoseCreatorIsDeadEvenWhenOld)
{
  auto labels = resource(k_dead_pid, hours(100));
  labels[labels::k_pool] = "0123456789abcdef";
  auto verdict = judge(labels, older_than(Milliseconds(0)));
  EXPECT_FALSE(verdict.remove);
  EXPECT_NE(verdict.reason.find("pool deadline"), std::string::npos) << verdict.reason;
}

TEST(StaleVerdictTest, KeepsResourceWhoseOwnerIsAlive)
{
  auto verdict = judge(resource(k_alive_pid, hours(100)), SweepOptions{});
  EXPECT_FALSE(verdict.remove);
  EXPECT_NE(verdict.reason.find("owner alive"), std::string::npos) << verdict.reason;
}

TEST(StaleVerdictTest, RemovesLiveOwnersResourceOnlyWhenOlderThanAsked)
{
  EXPECT_FALSE(judge(resource(k_alive_pid, minutes(30)), older_than(hours(2))).remove);
  auto verdict = judge(resource(k_alive_pid, hours(3)), older_than(hours(2)));
  EXPECT_TRUE(verdict.remove);
  EXPECT_EQ(verdict.reason, "older than 2h (created 3h ago)");
}

TEST(StaleVerdictTest, KeepsOtherHostsResourceUnlessOlderThanAsked)
{
  auto kept = judge(resource(k_other_host_pid, hours(100)), SweepOptions{});
  EXPECT_FALSE(kept.remove);
  EXPECT_NE(kept.reason.find("another host"), std::string::npos) << kept.reason;
  EXPECT_FALSE(judge(resource(k_other_host_pid, minutes(59)), older_than(hours(1))).remove);
  EXPECT_TRUE(judge(resource(k_other_host_pid, minutes(61)), older_than(hours(1))).remove);
}

TEST(StaleVerdictTest, OlderThanZeroRemovesEvenWhatWasJustCreated)
{
  EXPECT_TRUE(judge(resource(k_alive_pid, seconds(0)), older_than(Milliseconds(0))).remove);
}

TEST(StaleVerdictTest, SkipsDevEnvironmentUnlessSweepingDev)
{
  auto labels = resource(k_dead_pid, hours(100));
  labels[labels::k_environment] = "dev";
  auto kept = judge(labels, older_than(Milliseconds(0)));
  EXPECT_FALSE(kept.remove);
  EXPECT_EQ(kept.reason, "environment 'dev', not 'test'");

  SweepOptions dev;
  dev.environment = "dev";
  EXPECT_TRUE(judge(labels, dev).remove);
}

// An `env up` stack: no run id, and an owner (the `env up` process) that is dead once it returned.
std::map<std::string, std::string> env_stack_resource(int owner_pid)
{
  auto labels = resource(owner_pid, hours(100));
  labels[labels::k_environment] = "dev";
  labels[labels::k_run] = "";
  labels[labels::k_shard] = "0";
  labels[labels::k_stack] = "shop-dev";
  return labels;
}

SweepOptions sweeping_dev()
{
  SweepOptions dev;
  dev.environment = "dev";
  return dev;
}

TEST(StaleVerdictTest, KeepsEnvStackWhoseOwnerDiedBecauseEnvUpReturned)
{
  auto kept = judge(env_stack_resource(k_dead_pid), sweeping_dev());
  EXPECT_FALSE(kept.remove);
  EXPECT_NE(kept.reason.find("env stack"), std::string::npos) << kept.reason;
  EXPECT_NE(kept.reason.find("orchestrate env down"), std::string::npos) << kept.reason;
}

TEST(StaleVerdictTest, KeepsEnvStackEvenWhenOlderThanAsked)
{
  auto options = sweeping_dev();
  options.older_than = Milliseconds(0);
  EXPECT_FALSE(judge(env_stack_resource(k_alive_pid), options).remove);
}

TEST(StaleVerdictTest, KeepsEnvStackWithoutRunLabelAtAll)
{
  auto labels = env_stack_resource(k_dead_pid);
  labels.erase(labels::k_run);
  EXPECT_FALSE(judge(labels, sweeping_dev()).remove);
}

TEST(StaleVerdictTest, RemovesEnvStackWithDeadOwnerOnlyWhenEnvStacksAreIncluded)
{
  auto options = sweeping_dev();
  options.include_env_stacks = true;
  auto verdict = judge(env_stack_resource(k_dead_pid), options);
  EXPECT_TRUE(verdict.remove);
  EXPECT_EQ(verdict.reason, "owner dead (box:100:12345)");
  // Included, an env stack whose `env up` still runs is still kept.
  EXPECT_FALSE(judge(env_stack_resource(k_alive_pid), options).remove);
}

TEST(StaleVerdictTest, SweepsDevRunsStacksWhoseOwnerIsDead)
{
  // `orchestrate run --env dev` makes shard stacks with a run id: those are a run's, not the
  // env stack, and go when their run died.
  auto labels = resource(k_dead_pid);
  labels[labels::k_environment] = "dev";
  EXPECT_TRUE(judge(labels, sweeping_dev()).remove);
}

TEST(StaleVerdictTest, SweepingDevLeavesTestEnvironmentAlone)
{
  SweepOptions dev;
  dev.environment = "dev";
  EXPECT_FALSE(judge(resource(k_dead_pid), dev).remove);
}

TEST(StaleVerdictTest, KeepsResourceWithoutManagedLabel)
{
  auto labels = resource(k_dead_pid, hours(100));
  labels.erase(labels::k_managed);
  auto verdict = judge(labels, older_than(Milliseconds(0)));
  EXPECT_FALSE(verdict.remove);
  EXPECT_EQ(verdict.reason, "not managed by orchestrate");
}

TEST(StaleVerdictTest, KeepsResourceWhoseManagedLabelIsNotTrue)
{
  auto labels = resource(k_dead_pid);
  labels[labels::k_managed] = "false";
  EXPECT_FALSE(judge(labels, SweepOptions{}).remove);
}

TEST(StaleVerdictTest, KeepsUnlabelledResourceEvenWithZeroAge)
{
  EXPECT_FALSE(judge({}, older_than(Milliseconds(0))).remove);
  EXPECT_FALSE(judge({{"com.docker.compose.project", "shop-test-r1-s1"}},
                     older_than(Milliseconds(0)))
                 .remove);
}

TEST(StaleVerdictTest, KeepsOtherProjectsResourceWhenPrefixGiven)
{
  SweepOptions options = older_than(Milliseconds(0));
  options.project_prefix = "billing";
  auto verdict = judge(resource(k_dead_pid), options);
  EXPECT_FALSE(verdict.remove);
  EXPECT_EQ(verdict.reason, "project 'shop', not 'billing'");
  options.project_prefix = "shop";
  EXPECT_TRUE(judge(resource(k_dead_pid), options).remove);
}

TEST(StaleVerdictTest, BadCreatedLabelKeepsResourceUnlessOwnerDead)
{
  for (std::string created : {"", "yesterday", "12x", "-5", "0"}) {
    auto alive = resource(k_alive_pid);
    alive[labels::k_created] = created;
    auto verdict = judge(alive, older_than(Milliseconds(0)));
    EXPECT_FALSE(verdict.remove) << created;
    EXPECT_NE(verdict.reason.find("creation time unreadable"), std::string::npos)
      << verdict.reason;

    auto dead = resource(k_dead_pid);
    dead[labels::k_created] = created;
    EXPECT_TRUE(judge(dead, older_than(Milliseconds(0))).remove) << created;
  }
}

TEST(StaleVerdictTest, UnreadableOwnerIsKeptUnlessOld)
{
  auto labels = resource(k_dead_pid, hours(3));
  labels[labels::k_owner] = "someone";
  auto kept = judge(labels, SweepOptions{});
  EXPECT_FALSE(kept.remove);
  EXPECT_NE(kept.reason.find("owner unreadable"), std::string::npos) << kept.reason;
  EXPECT_TRUE(judge(labels, older_than(hours(2))).remove);
}

TEST(StaleVerdictTest, DeadOwnerOnThisHostIsRecognisedWithRealOwnerState)
{
  // The default owner_state_of: our own process is alive, a pid that cannot exist is dead.
  auto labels = resource(k_dead_pid);
  labels[labels::k_owner] = to_label(current_owner());
  EXPECT_FALSE(judge_resource(labels, k_now, SweepOptions{}).remove);
  OwnerIdentity gone = current_owner();
  gone.pid = 0x3fffffff;  // above any pid_max
  labels[labels::k_owner] = to_label(gone);
  EXPECT_TRUE(judge_resource(labels, k_now, SweepOptions{}).remove);
}

TEST(StaleVerdictTest, FormatsAgesCoarsely)
{
  EXPECT_EQ(format_age(Milliseconds(0)), "0s");
  EXPECT_EQ(format_age(Milliseconds(-5000)), "0s");
  EXPECT_EQ(format_age(seconds(45)), "45s");
  EXPECT_EQ(format_age(seconds(90)), "1m30s");
  EXPECT_EQ(format_age(hours(2)), "2h");
  EXPECT_EQ(format_age(hours(2) + minutes(30) + seconds(12)), "2h30m");
  EXPECT_EQ(format_age(hours(76) + seconds(5)), "3d4h");
}

}  // namespace
}  // namespace orchestrate
