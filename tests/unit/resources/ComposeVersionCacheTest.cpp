#include "resources/ComposeVersionCache.hpp"

#include "core/FileText.hpp"
#include "support/EnvironmentOverride.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace orchestrate {
namespace {

class ComposeVersionCacheTest : public ::testing::Test
{
protected:
  std::filesystem::path plugin() const
  {
    return m_config.path() / "cli-plugins" / "docker-compose";
  }

  void write_plugin(const std::string& content) const
  {
    std::filesystem::create_directories(plugin().parent_path());
    std::ofstream(plugin()) << content;
  }

  TempDir m_config;
  TempDir m_state;
  EnvironmentOverride m_docker_config{"DOCKER_CONFIG", m_config.path().c_str()};
  std::filesystem::path m_cache = m_state.path() / "cache" / "compose-version.json";
};

TEST_F(ComposeVersionCacheTest, KeptVersionIsReturnedForTheSameBinaries)
{
  const auto fingerprint = compose_binaries_fingerprint();
  remember_compose_version(m_cache, fingerprint, "2.26.1\n");
  EXPECT_EQ(cached_compose_version(m_cache, compose_binaries_fingerprint()), "2.26.1\n");
}

TEST_F(ComposeVersionCacheTest, APluginInstalledInTheUsersConfigChangesTheFingerprint)
{
  const auto before = compose_binaries_fingerprint();
  remember_compose_version(m_cache, before, "2.26.1");
  write_plugin("#!/bin/sh\necho 2.30.0\n");
  const auto after = compose_binaries_fingerprint();
  EXPECT_NE(before, after);
  EXPECT_NE(after.find(plugin().string()), std::string::npos) << after;
  EXPECT_EQ(cached_compose_version(m_cache, after), std::nullopt);
}

TEST_F(ComposeVersionCacheTest, ARewrittenPluginChangesTheFingerprint)
{
  write_plugin("one");
  const auto before = compose_binaries_fingerprint();
  write_plugin("another, longer");
  EXPECT_NE(compose_binaries_fingerprint(), before);
}

TEST_F(ComposeVersionCacheTest, MissingOrCorruptCacheMeansProbeAgain)
{
  const auto fingerprint = compose_binaries_fingerprint();
  EXPECT_EQ(cached_compose_version(m_cache, fingerprint), std::nullopt);
  std::filesystem::create_directories(m_cache.parent_path());
  std::ofstream(m_cache) << "{not json";
  EXPECT_EQ(cached_compose_version(m_cache, fingerprint), std::nullopt);
}

TEST_F(ComposeVersionCacheTest, WritingLeavesOnlyTheCacheFile)
{
  remember_compose_version(m_cache, "fingerprint", "2.26.1");
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(m_cache.parent_path())) {
    ++files;
    EXPECT_EQ(entry.path(), m_cache);
  }
  EXPECT_EQ(files, 1);
}

}  // namespace
}  // namespace orchestrate
