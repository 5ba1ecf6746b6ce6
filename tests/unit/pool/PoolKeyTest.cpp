#include "docker/ResourceLabels.hpp"
#include "pool/PoolKey.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

ComposeModelInputs inputs_with(const std::string& compose_text)
{
  ComposeModelInputs inputs;
  inputs.files["/p/compose.yml"] = compose_text;
  inputs.files["/p/.env"] = "";
  inputs.variables["PG_TAG"] = "15";
  inputs.unset_variables = {"REDIS_TAG"};
  return inputs;
}

const PublishedPorts k_ports{{"test-postgres", {5432}}, {"test-redis", {6379}}};

TEST(PoolKeyTest, EqualInputsGiveEqualKeysAndDigests)
{
  const auto first = make_pool_key(inputs_with("services: {}"), k_ports);
  const auto second = make_pool_key(inputs_with("services: {}"), k_ports);
  EXPECT_EQ(first, second);
  EXPECT_EQ(first.digest, second.digest);
  EXPECT_EQ(first.digest.size(), 16u);
}

TEST(PoolKeyTest, AnEditedComposeFileChangesTheKey)
{
  const auto before = make_pool_key(inputs_with("services: {}"), k_ports);
  const auto after = make_pool_key(inputs_with("services: {a: {}}"), k_ports);
  EXPECT_FALSE(before == after);
  EXPECT_NE(before.digest, after.digest);
}

TEST(PoolKeyTest, AnInterpolatedVariableChangesTheKey)
{
  auto changed = inputs_with("services: {}");
  changed.variables["PG_TAG"] = "16";
  EXPECT_FALSE(make_pool_key(inputs_with("services: {}"), k_ports) == make_pool_key(changed, k_ports));
}

TEST(PoolKeyTest, AnotherFixturePortChangesTheKey)
{
  PublishedPorts other = k_ports;
  other["test-redis"] = {6380};
  EXPECT_FALSE(make_pool_key(inputs_with("x"), k_ports) == make_pool_key(inputs_with("x"), other));
}

TEST(PoolKeyTest, ReadsBackWhatItWrote)
{
  const auto key = make_pool_key(inputs_with("services: {}"), k_ports);
  const auto again = pool_key_from_json(nlohmann::json::parse(key.inputs.dump()));
  EXPECT_EQ(key, again);
  EXPECT_EQ(key.digest, again.digest);
}

TEST(PoolKeyTest, RefusesJsonThatIsNotAKey)
{
  EXPECT_THROW(pool_key_from_json(nlohmann::json{{"files", 1}}), nlohmann::json::exception);
}

TEST(PoolKeyTest, NamesTheServicesWhoseImageWasRebuiltOrRemoved)
{
  const StackImages recorded{{"db", {"pg:15", "sha256:a"}},
                             {"cache", {"redis:7", "sha256:b"}},
                             {"web", {"web:1", "sha256:c"}}};
  const auto changed = changed_images(recorded, [](const std::string& image) {
    if (image == "pg:15") {
      return std::optional<std::string>("sha256:a");
    }
    if (image == "redis:7") {
      return std::optional<std::string>("sha256:new");
    }
    return std::optional<std::string>();
  });
  EXPECT_EQ(changed, (std::vector<std::string>{"cache (redis:7 was rebuilt)", "web (web:1 is gone)"}));
}

TEST(PoolKeyTest, FindsNoChangeWhenEveryImageIsTheSame)
{
  const StackImages recorded{{"db", {"pg:15", "sha256:a"}}};
  EXPECT_TRUE(changed_images(recorded, [](const std::string&) {
                return std::optional<std::string>("sha256:a");
              }).empty());
}

}  // namespace
}  // namespace orchestrate

namespace orchestrate {
namespace {

TEST(ResourceLabelsTest, ReadsBackTheOwnershipItsLabelsWereMadeOf)
{
  StackOwnership ownership;
  ownership.project_prefix = "shop";
  ownership.environment = "test";
  ownership.run_id = "r1";
  ownership.shard = 3;
  ownership.stack = "shop-test-r1-s3";
  ownership.owner = "box:12:345";
  ownership.created_unix_seconds = 1'700'000'000;
  ownership.pool = "0123456789abcdef";

  const auto labels = ownership_labels(ownership);
  EXPECT_EQ(labels.at(labels::k_pool), "0123456789abcdef");
  EXPECT_EQ(ownership_labels(ownership_from_labels(labels)), labels);
}

TEST(ResourceLabelsTest, LabelsNoPoolKeyForAStackOutsideThePool)
{
  StackOwnership ownership;
  ownership.stack = "shop-test-r1-s1";
  EXPECT_EQ(ownership_labels(ownership).count(labels::k_pool), 0u);
}

}  // namespace
}  // namespace orchestrate
