#include "core/Error.hpp"
#include "docker/ComposeModel.hpp"
#include "docker/OverrideFile.hpp"
#include "docker/ProjectName.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

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
  const auto yaml = YAML::Load(override_file_text(model, {{"io.orchestrate.run", "123"}}));
  EXPECT_EQ(yaml["services"]["db"]["labels"]["io.orchestrate.run"].as<std::string>(), "123");
  EXPECT_EQ(yaml["services"]["cache"]["labels"]["io.orchestrate.run"].as<std::string>(), "123");
  EXPECT_EQ(yaml["networks"]["default"]["labels"]["io.orchestrate.run"].as<std::string>(), "123");
  EXPECT_EQ(yaml["volumes"]["data"]["labels"]["io.orchestrate.run"].as<std::string>(), "123");
  EXPECT_FALSE(yaml["networks"]["shared"]);   // external: not ours to label
  EXPECT_FALSE(yaml["volumes"]["outside"]);
  EXPECT_FALSE(yaml["services"]["db"]["ports"]);  // nothing published unless asked
}

constexpr const char* k_published_model = R"({
  "services": {
    "db": {"ports": [{"mode": "ingress", "target": 5432, "protocol": "tcp"},
                     {"mode": "ingress", "target": 5432, "published": "5432", "protocol": "tcp"},
                     {"mode": "ingress", "host_ip": "127.0.0.1", "target": 9187,
                      "published": "9187", "protocol": "tcp"}]},
    "cache": {}
  }
})";

TEST(OverrideFileTest, ReplacesAFixturePortsPublicationWithLoopbackEphemeralAndKeepsOtherPorts)
{
  const auto model = parse_compose_model(k_published_model);
  const auto text = override_file_text(model, {{"io.orchestrate.run", "abc"}},
                                       {{"db", {5432}}, {"cache", {6379}}});
  const auto yaml = YAML::Load(text);
  const auto db_ports = yaml["services"]["db"]["ports"];
  EXPECT_EQ(db_ports.Tag(), "!override") << text;
  ASSERT_EQ(db_ports.size(), 2u) << text;
  EXPECT_EQ(db_ports[0].as<std::string>(), "127.0.0.1::5432");
  EXPECT_EQ(db_ports[1]["target"].as<int>(), 9187);
  EXPECT_EQ(db_ports[1]["published"].as<std::string>(), "9187");
  EXPECT_EQ(db_ports[1]["host_ip"].as<std::string>(), "127.0.0.1");
  const auto cache_ports = yaml["services"]["cache"]["ports"];
  ASSERT_EQ(cache_ports.size(), 1u);
  EXPECT_EQ(cache_ports[0].as<std::string>(), "127.0.0.1::6379");
}

TEST(OverrideFileTest, PublishesOnARemoteEnginesAddressWithIpv6InBrackets)
{
  const auto model = parse_compose_model(k_published_model);
  const auto remote = YAML::Load(override_file_text(model, {}, {{"cache", {6379}}}, "10.0.0.12"));
  EXPECT_EQ(remote["services"]["cache"]["ports"][0].as<std::string>(), "10.0.0.12::6379");
  const auto ipv6 = YAML::Load(override_file_text(model, {}, {{"cache", {6379}}}, "fd00::2"));
  EXPECT_EQ(ipv6["services"]["cache"]["ports"][0].as<std::string>(), "[fd00::2]::6379");
}

TEST(ComposeModelTest, ReadsPortsRestartAndWhichServicesRunOnce)
{
  const auto model = parse_compose_model(R"({"services": {
    "db": {"ports": [{"target": 5432, "host_ip": "0.0.0.0", "protocol": "tcp"}]},
    "migrate": {"restart": "no"},
    "seed": {"restart": "on-failure:3"},
    "app": {"restart": "always", "network_mode": "host",
            "depends_on": {"load": {"condition": "service_completed_successfully"},
                           "db": {"condition": "service_healthy"}}},
    "load": {}
  }})");
  ASSERT_EQ(model.find_service("db")->ports.size(), 1u);
  EXPECT_EQ(model.find_service("db")->ports[0].target, 5432);
  EXPECT_EQ(model.find_service("db")->ports[0].host_ip, "0.0.0.0");
  EXPECT_FALSE(model.find_service("db")->one_shot);  // restart not written: no sign of a one-shot
  EXPECT_TRUE(model.find_service("db")->may_complete());
  EXPECT_TRUE(model.find_service("migrate")->one_shot);
  EXPECT_TRUE(model.find_service("seed")->one_shot);
  EXPECT_TRUE(model.find_service("load")->one_shot);  // app waits for it to complete
  EXPECT_FALSE(model.find_service("app")->one_shot);
  EXPECT_FALSE(model.find_service("app")->may_complete());
  EXPECT_EQ(model.find_service("app")->network_mode, "host");
}

TEST(ComposeModelTest, MalformedJsonIsAnInternalError)
{
  EXPECT_THROW(parse_compose_model("{not json"), Error);
}

}  // namespace
}  // namespace orchestrate
