#include "core/Error.hpp"
#include "docker/ComposeModel.hpp"
#include "docker/OverrideFile.hpp"
#include "docker/ProjectName.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace orchestrate {
namespace {

TEST(ProjectNameTest, ShardProjectNamesFollowComposeRules)
{
  const auto name = shard_project_name("Shop_API", "test", "3f9a1c2e", 4);
  EXPECT_EQ(name, "shop_api-test-3f9a1c2e-s4");
  EXPECT_TRUE(is_valid_project_name(name));
}

TEST(ProjectNameTest, ComponentsAreLowercasedAndInvalidCharactersReplaced)
{
  EXPECT_EQ(to_project_name_component("My Shop.v2"), "my-shop-v2");
  EXPECT_EQ(to_project_name_component("--lead"), "lead");
  EXPECT_EQ(to_project_name_component("***"), "x");
}

TEST(ProjectNameTest, InvalidNamesAreRecognised)
{
  EXPECT_FALSE(is_valid_project_name(""));
  EXPECT_FALSE(is_valid_project_name("Upper"));
  EXPECT_FALSE(is_valid_project_name("-leading"));
  EXPECT_FALSE(is_valid_project_name("has space"));
  EXPECT_TRUE(is_valid_project_name("a_b-1"));
}

TEST(ProjectNameTest, RunIdsAreEightHexCharactersAndDiffer)
{
  const auto first = new_run_id();
  const auto second = new_run_id();
  EXPECT_EQ(first.size(), 8u);
  EXPECT_EQ(first.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(first, second);
  EXPECT_EQ(environment_project_name("shop", "dev"), "shop-dev");
}

constexpr const char* k_model = R"({
  "name": "x",
  "networks": {"default": {"name": "x_default"}, "shared": {"external": true, "name": "shared"}},
  "services": {
    "db": {"deploy": {"resources": {"limits": {"cpus": 0.5, "memory": "268435456"}}},
           "healthcheck": {"test": ["CMD", "true"]}},
    "cache": {"mem_limit": "128m"}
  },
  "volumes": {"data": {"name": "x_data"}, "outside": {"external": true}}
})";

TEST(ComposeModelTest, ReadsLimitsAndHealthchecksAndSkipsExternalResources)
{
  const auto model = parse_compose_model(k_model);
  ASSERT_EQ(model.services.size(), 2u);
  const auto* db = model.find_service("db");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->memory_limit_bytes, 268435456u);
  EXPECT_DOUBLE_EQ(db->cpu_limit, 0.5);
  EXPECT_TRUE(db->has_healthcheck);
  EXPECT_EQ(model.find_service("cache")->memory_limit_bytes, 128u << 20);
  EXPECT_FALSE(model.find_service("cache")->has_healthcheck);
  EXPECT_EQ(model.memory_limit_bytes(), (256u << 20) + (128u << 20));
  EXPECT_EQ(model.networks, std::vector<std::string>{"default"});
  EXPECT_EQ(model.volumes, std::vector<std::string>{"data"});
}

TEST(OverrideFileTest, LabelsEveryServiceNetworkAndVolume)
{
  const auto model = parse_compose_model(k_model);
  const auto text = override_file_text(model, {{"io.orchestrate.run", "abc"}});
  const auto json = nlohmann::json::parse(text);
  EXPECT_EQ(json["services"]["db"]["labels"]["io.orchestrate.run"], "abc");
  EXPECT_EQ(json["services"]["cache"]["labels"]["io.orchestrate.run"], "abc");
  EXPECT_EQ(json["networks"]["default"]["labels"]["io.orchestrate.run"], "abc");
  EXPECT_EQ(json["volumes"]["data"]["labels"]["io.orchestrate.run"], "abc");
  EXPECT_FALSE(json["networks"].contains("shared"));   // external: not ours to label
  EXPECT_FALSE(json.contains("volumes") && json["volumes"].contains("outside"));
}

TEST(ComposeModelTest, MalformedJsonIsAnInternalError)
{
  EXPECT_THROW(parse_compose_model("{not json"), Error);
}

}  // namespace
}  // namespace orchestrate
