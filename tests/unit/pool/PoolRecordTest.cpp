#include "pool/PoolInventory.hpp"
#include "pool/PoolRecord.hpp"
#include "pool/StackClaim.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace orchestrate {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

PoolRecord sample_record(const std::string& stack)
{
  ComposeModelInputs inputs;
  inputs.files["/p/compose.yml"] = "services: {}";
  PoolRecord record;
  record.stack = stack;
  record.shard = 2;
  record.key = make_pool_key(inputs, {{"db", {5432}}});
  record.images = {{"db", {"pg:15", "sha256:a"}}};
  record.labels = {{"io.orchestrate.stack", stack}, {"io.orchestrate.shard", "2"}};
  record.created = 1'700'000'000;
  record.returned = 1'700'000'100;
  record.deadline = 1'700'000'999;
  record.claims = 3;
  return record;
}

TEST(PoolRecordTest, ReadsBackEveryFieldItSaved)
{
  TempDir dir;
  save_pool_record(dir.path(), sample_record("shop-test-r1-s2"));

  const auto loaded = load_pool_record(dir.path(), "shop-test-r1-s2");
  ASSERT_TRUE(loaded);
  const auto expected = sample_record("shop-test-r1-s2");
  EXPECT_EQ(loaded->stack, expected.stack);
  EXPECT_EQ(loaded->shard, 2);
  EXPECT_EQ(loaded->key, expected.key);
  EXPECT_EQ(loaded->key.digest, expected.key.digest);
  EXPECT_EQ(loaded->images, expected.images);
  EXPECT_EQ(loaded->labels, expected.labels);
  EXPECT_EQ(loaded->created, expected.created);
  EXPECT_EQ(loaded->returned, expected.returned);
  EXPECT_EQ(loaded->deadline, expected.deadline);
  EXPECT_EQ(loaded->claims, 3);
  EXPECT_EQ(list_pool_records(dir.path()), std::vector<std::string>{"shop-test-r1-s2"});
}

TEST(PoolRecordTest, TreatsAnUnreadableRecordAsNone)
{
  TempDir dir;
  std::ofstream(dir.path() / "s1.json") << "{not json";
  EXPECT_FALSE(load_pool_record(dir.path(), "s1"));
  EXPECT_FALSE(load_pool_record(dir.path(), "missing"));
}

TEST(PoolRecordTest, RemovingARecordAlsoRemovesTheStacksFolder)
{
  TempDir dir;
  save_pool_record(dir.path(), sample_record("s1"));
  std::filesystem::create_directories(pool_stack_dir(dir.path(), "s1"));
  remove_pool_record(dir.path(), "s1");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "s1.json"));
  EXPECT_FALSE(std::filesystem::exists(pool_stack_dir(dir.path(), "s1")));
  EXPECT_TRUE(list_pool_records(dir.path()).empty());
}

TEST(PoolRecordTest, AStackExpiresAtItsDeadlineAndNotBefore)
{
  const auto record = sample_record("s1");
  const system_clock::time_point before{seconds(record.deadline - 1)};
  const system_clock::time_point at{seconds(record.deadline)};
  EXPECT_EQ(pool_expiry_reason(record, before), "");
  EXPECT_NE(pool_expiry_reason(record, at).find("idle past its deadline"), std::string::npos);
}

TEST(PoolRecordTest, AStackWithoutARecordHasExpired)
{
  EXPECT_EQ(pool_expiry_reason(std::nullopt, system_clock::now()), "no readable pool record");
}

TEST(StackClaimTest, OnlyOneClaimOfAStackAtATime)
{
  TempDir dir;
  auto first = StackClaim::try_claim(dir.path(), "s1");
  ASSERT_TRUE(first);
  EXPECT_FALSE(StackClaim::try_claim(dir.path(), "s1"));
  EXPECT_TRUE(StackClaim::try_claim(dir.path(), "s2"));
  EXPECT_NE(StackClaim::holder(dir.path(), "s1").find("pid " + std::to_string(::getpid())),
            std::string::npos);
  first.reset();
  EXPECT_EQ(StackClaim::holder(dir.path(), "s1"), "");
  EXPECT_TRUE(StackClaim::try_claim(dir.path(), "s1"));
}

TEST(StackClaimTest, RemovingTheClaimFileReleasesTheClaim)
{
  TempDir dir;
  auto claim = StackClaim::try_claim(dir.path(), "s1");
  ASSERT_TRUE(claim);
  claim->release_and_remove_file();
  EXPECT_FALSE(std::filesystem::exists(stack_claim_path(dir.path(), "s1")));
  EXPECT_TRUE(StackClaim::try_claim(dir.path(), "s1"));
}

}  // namespace
}  // namespace orchestrate
