#include "docker/ComposeModelCache.hpp"

#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace orchestrate {
namespace {


constexpr const char* k_model_json =
  R"({"services": {"db": {"deploy": {"resources": {"limits": {"memory": "268435456"}}}}}})";

class ComposeModelCacheTest : public ::testing::Test
{
protected:
  ComposeModelCacheTest()
  {
    write(compose_file(), "services:\n  db:\n    image: postgres:${PG_VERSION:-15}\n"
                          "    command: [\"-c\", \"port=$PG_PORT\"]\n");
  }

  std::filesystem::path compose_file() const
  {
    return dir.path() / "docker-compose.yml";
  }
  std::filesystem::path cache_file() const
  {
    return dir.path() / "cache" / "compose-model-test.json";
  }

  static void write(const std::filesystem::path& file, const std::string& text)
  {
    std::ofstream(file) << text;
  }

  ComposeModelInputs inputs(const std::map<std::string, std::string>& environment = {}) const
  {
    return read_compose_model_inputs({compose_file()}, dir.path(), environment);
  }

  TempDir dir;
};

TEST_F(ComposeModelCacheTest, InputsHoldTheFilesAndTheVariablesTheyInterpolate)
{
  write(dir.path() / ".env", "PG_VERSION=16\n");
  const auto key = inputs({{"PG_PORT", "5433"}, {"HOME", "/root"}, {"COMPOSE_PROFILES", "x"}});
  EXPECT_EQ(key.files.size(), 2u);  // the compose file and .env
  EXPECT_EQ(key.files.at(compose_file().string()).find("services:"), 0u);
  EXPECT_EQ(key.variables, (std::map<std::string, std::string>{{"COMPOSE_PROFILES", "x"},
                                                                {"PG_PORT", "5433"}}));
  EXPECT_EQ(key.unset_variables, std::vector<std::string>{"PG_VERSION"});
}

TEST_F(ComposeModelCacheTest, TheSavedModelIsFoundForTheSameInputs)
{
  save_compose_model(cache_file(), inputs(), k_model_json);
  const auto model = load_cached_compose_model(cache_file(), inputs());
  ASSERT_TRUE(model.has_value());
  ASSERT_EQ(model->services.size(), 1u);
  EXPECT_EQ(model->services.front().memory_limit_bytes, 256ull << 20);
}

TEST_F(ComposeModelCacheTest, AnEditedComposeFileMissesTheCache)
{
  save_compose_model(cache_file(), inputs(), k_model_json);
  write(compose_file(), "services:\n  db:\n    image: postgres:16\n");
  EXPECT_FALSE(load_cached_compose_model(cache_file(), inputs()).has_value());
}

TEST_F(ComposeModelCacheTest, ANewDotEnvFileMissesTheCache)
{
  save_compose_model(cache_file(), inputs(), k_model_json);
  write(dir.path() / ".env", "PG_VERSION=16\n");
  EXPECT_FALSE(load_cached_compose_model(cache_file(), inputs()).has_value());
}

TEST_F(ComposeModelCacheTest, AnInterpolatedVariableThatChangedMissesTheCache)
{
  save_compose_model(cache_file(), inputs({{"PG_PORT", "5433"}}), k_model_json);
  EXPECT_FALSE(load_cached_compose_model(cache_file(), inputs({{"PG_PORT", "5434"}})));
  EXPECT_FALSE(load_cached_compose_model(cache_file(), inputs()));  // now unset
  EXPECT_TRUE(load_cached_compose_model(cache_file(), inputs({{"PG_PORT", "5433"}})));
}

TEST_F(ComposeModelCacheTest, ACompose_VariableMissesTheCacheButAnUnrelatedOneDoesNot)
{
  save_compose_model(cache_file(), inputs({{"HOME", "/root"}}), k_model_json);
  EXPECT_TRUE(load_cached_compose_model(cache_file(), inputs({{"HOME", "/home/other"}})));
  EXPECT_FALSE(load_cached_compose_model(cache_file(), inputs({{"COMPOSE_PROFILES", "debug"}})));
}

TEST_F(ComposeModelCacheTest, ACorruptOrMissingCacheIsAMiss)
{
  EXPECT_FALSE(load_cached_compose_model(cache_file(), inputs()));
  std::filesystem::create_directories(cache_file().parent_path());
  write(cache_file(), "{not json");
  EXPECT_FALSE(load_cached_compose_model(cache_file(), inputs()));
  save_compose_model(cache_file(), inputs(), "[1, 2]");  // not a compose model
  EXPECT_FALSE(load_cached_compose_model(cache_file(), inputs()));
}

}  // namespace
}  // namespace orchestrate
