#include "pool/PoolSettings.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

TEST(PoolSettingsTest, ReusesNothingUnlessAsked)
{
  const auto settings = resolve_pool_settings(std::nullopt, std::nullopt, SuiteConfig{}, RunDefaults{});
  EXPECT_FALSE(settings.reuse);
  EXPECT_EQ(settings.ttl, Milliseconds(900'000));
}

TEST(PoolSettingsTest, TheSuiteWinsOverTheProjectAndTheCommandLineOverBoth)
{
  RunDefaults defaults;
  defaults.reuse = true;
  defaults.reuse_ttl = Milliseconds(60'000);
  SuiteConfig suite;
  suite.reuse = false;
  EXPECT_FALSE(resolve_pool_settings(std::nullopt, std::nullopt, suite, defaults).reuse);
  EXPECT_TRUE(resolve_pool_settings(true, std::nullopt, suite, defaults).reuse);
  EXPECT_FALSE(resolve_pool_settings(false, std::nullopt, SuiteConfig{}, defaults).reuse);
  EXPECT_TRUE(resolve_pool_settings(std::nullopt, std::nullopt, SuiteConfig{}, defaults).reuse);
  EXPECT_EQ(resolve_pool_settings(std::nullopt, Milliseconds(5'000), suite, defaults).ttl,
            Milliseconds(5'000));
  EXPECT_EQ(resolve_pool_settings(std::nullopt, std::nullopt, suite, defaults).ttl,
            Milliseconds(60'000));
}

}  // namespace
}  // namespace orchestrate
