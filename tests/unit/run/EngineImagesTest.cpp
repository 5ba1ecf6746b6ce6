#include "run/EngineImages.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace orchestrate {
namespace {

// Two services on one image, one on another and one that is only built (compose prints no image).
constexpr const char* k_model = R"({
  "services": {
    "db": {"image": "orchestrate/postgres:latest"},
    "cache": {"image": "orchestrate/redis:latest"},
    "replica": {"image": "orchestrate/postgres:latest"},
    "app": {"build": {"context": "."}}
  }
})";

TEST(EngineImagesTest, StackImagesAreEachServicesImageOnceWithoutBuiltOnlyServices)
{
  const auto images = stack_images(parse_compose_model(k_model));
  EXPECT_EQ(std::set<std::string>(images.begin(), images.end()),
            (std::set<std::string>{"orchestrate/postgres:latest", "orchestrate/redis:latest"}));
  EXPECT_EQ(images.size(), 2u);
}

TEST(EngineImagesTest, MissingImagesAreThoseTheEngineDoesNotHaveInOrder)
{
  const std::set<std::string> on_engine{"b"};
  const auto missing = missing_images(
    {"a", "b", "c"}, [&](const std::string& image) { return on_engine.count(image) > 0; });
  EXPECT_EQ(missing, (std::vector<std::string>{"a", "c"}));
  EXPECT_TRUE(missing_images({"b"}, [&](const std::string& image) {
                return on_engine.count(image) > 0;
              }).empty());
}

TEST(EngineImagesTest, WarningNamesTheEngineTheImagesAndHowToLoadThem)
{
  EXPECT_EQ(describe_missing_images("build-2", {"orchestrate/postgres:latest"}),
            "engine build-2 lacks image orchestrate/postgres:latest: left out of this run (load "
            "it with docker save | docker load)");
  EXPECT_EQ(describe_missing_images("build-2", {"a:1", "b:2"}),
            "engine build-2 lacks images a:1, b:2: left out of this run (load them with docker "
            "save | docker load)");
}

}  // namespace
}  // namespace orchestrate
