#include "config/ConfigLoader.hpp"
#include "core/Error.hpp"
#include "docker/DockerContext.hpp"
#include "docker/EngineEndpoint.hpp"
#include "docker/EngineEndpointFile.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace orchestrate {
namespace {

class EngineEndpointTest : public ::testing::Test
{
protected:
  // A docker CLI configuration folder with context `name` pointing at `host`, and its
  // certificates when `with_tls`.
  void write_context(const std::string& name, const std::string& host, bool with_tls = false)
  {
    const auto id = sha256_hex(name);
    const auto meta = m_dir.path() / "contexts" / "meta" / id;
    std::filesystem::create_directories(meta);
    std::ofstream(meta / "meta.json")
      << R"({"Name":")" << name << R"(","Metadata":{},"Endpoints":{"docker":{"Host":")" << host
      << R"(","SkipTLSVerify":false}}})";
    if (with_tls) {
      const auto tls = m_dir.path() / "contexts" / "tls" / id / "docker";
      std::filesystem::create_directories(tls);
      for (const char* file : {"ca.pem", "cert.pem", "key.pem"}) {
        std::ofstream(tls / file) << "pem";
      }
    }
  }

  std::map<std::string, std::string> environment(std::map<std::string, std::string> extra = {})
  {
    extra["DOCKER_CONFIG"] = m_dir.path().string();
    return extra;
  }

  TempDir m_dir;
};

TEST_F(EngineEndpointTest, ContextFoldersAreNamedBySha256OfTheName)
{
  // The SHA-256 test vector of FIPS 180-2, as the docker CLI names a context's folders.
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(EngineEndpointTest, WithoutAnythingTheDefaultIsTheLocalSocketOnLoopback)
{
  const auto endpoint = default_engine_endpoint(environment());
  EXPECT_EQ(endpoint.name, "local");
  EXPECT_EQ(endpoint.host, "unix:///var/run/docker.sock");
  EXPECT_EQ(endpoint.address, "127.0.0.1");
  EXPECT_FALSE(endpoint.tls.has_value());
}

TEST_F(EngineEndpointTest, DockerHostWithTlsVerifyTakesTheCertificatesFromDockerCertPath)
{
  const auto endpoint = default_engine_endpoint(environment(
    {{"DOCKER_HOST", "tcp://10.1.2.3:2376"}, {"DOCKER_TLS_VERIFY", "1"},
     {"DOCKER_CERT_PATH", "/certs"}, {"DOCKER_CONTEXT", "ignored-when-host-is-set"}}));
  EXPECT_EQ(endpoint.host, "tcp://10.1.2.3:2376");
  EXPECT_EQ(endpoint.address, "10.1.2.3");
  ASSERT_TRUE(endpoint.tls.has_value());
  EXPECT_EQ(endpoint.tls->ca, "/certs/ca.pem");
  EXPECT_EQ(endpoint.tls->cert, "/certs/cert.pem");
  EXPECT_EQ(endpoint.tls->key, "/certs/key.pem");
}

TEST_F(EngineEndpointTest, SshDockerHostIsAcceptedAndItsHostIsTheAddress)
{
  const auto endpoint = default_engine_endpoint(environment({{"DOCKER_HOST", "ssh://ci@build-2:22"}}));
  EXPECT_EQ(endpoint.host, "ssh://ci@build-2:22");
  EXPECT_EQ(endpoint.address, "build-2");
}

TEST_F(EngineEndpointTest, AnotherSchemeIsAnEnvironmentError)
{
  EXPECT_THROW(default_engine_endpoint(environment({{"DOCKER_HOST", "fd://"}})), EnvironmentError);
}

TEST_F(EngineEndpointTest, DockerContextIsReadFromTheCliMetadataWithItsCertificates)
{
  write_context("build-2", "tcp://10.0.0.12:2376", true);
  const auto endpoint = default_engine_endpoint(environment({{"DOCKER_CONTEXT", "build-2"}}));
  EXPECT_EQ(endpoint.host, "tcp://10.0.0.12:2376");
  EXPECT_EQ(endpoint.address, "10.0.0.12");
  ASSERT_TRUE(endpoint.tls.has_value());
  EXPECT_EQ(endpoint.tls->cert,
            m_dir.path() / "contexts/tls" / sha256_hex("build-2") / "docker/cert.pem");
  EXPECT_NE(endpoint.origin.find("build-2"), std::string::npos);
}

TEST_F(EngineEndpointTest, CurrentContextOfConfigJsonIsUsedWithoutDockerContext)
{
  write_context("remote", "ssh://me@remote");
  std::ofstream(m_dir.path() / "config.json") << R"({"auths":{},"currentContext":"remote"})";
  EXPECT_EQ(default_engine_endpoint(environment()).host, "ssh://me@remote");
}

TEST_F(EngineEndpointTest, MissingContextIsAUsageErrorSayingWhereItLooked)
{
  try {
    default_engine_endpoint(environment({{"DOCKER_CONTEXT", "gone"}}));
    FAIL() << "expected a UsageError";
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("docker context 'gone' does not exist"),
              std::string::npos)
      << error.what();
    EXPECT_NE(std::string(error.what()).find(sha256_hex("gone")), std::string::npos);
  }
}

TEST_F(EngineEndpointTest, ConfiguredEnginesAreSelectedByNameInFileOrder)
{
  ProjectConfig project;
  project.source_path = "/p/orchestrate.yaml";
  EngineConfig a;
  a.name = "a";
  a.host = "tcp://10.0.0.1:2375";
  a.address = "10.9.9.9";
  EngineConfig b;
  b.name = "b";
  b.host = "ssh://b";
  b.memory_budget_bytes = 1ull << 30;
  project.engines = {a, b};
  const auto all = select_engine_endpoints(project, {}, environment());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].address, "10.9.9.9");
  EXPECT_EQ(all[1].address, "b");
  EXPECT_EQ(all[1].memory_budget_bytes, 1ull << 30);
  const auto only_b = select_engine_endpoints(project, {"b"}, environment());
  ASSERT_EQ(only_b.size(), 1u);
  EXPECT_EQ(only_b[0].name, "b");
  try {
    select_engine_endpoints(project, {"c"}, environment());
    FAIL() << "expected a UsageError";
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("--engine c: no such engine"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("a, b"), std::string::npos) << error.what();
  }
}

TEST_F(EngineEndpointTest, ConfiguredContextThatDoesNotExistIsAConfigErrorAtItsLine)
{
  ProjectConfig project;
  EngineConfig desk;
  desk.name = "desk";
  desk.context = "desk";
  desk.source_path = "/p/orchestrate.yaml";
  desk.line = 7;
  project.engines = {desk};
  try {
    select_engine_endpoints(project, {}, environment());
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()).rfind("/p/orchestrate.yaml:7: engine 'desk': ", 0), 0u)
      << error.what();
  }
}

TEST_F(EngineEndpointTest, TheReapersEnginesFileKeepsHowEachEngineIsReached)
{
  EngineEndpoint tls;
  tls.name = "tls";
  tls.host = "tcp://10.0.0.12:2376";
  tls.tls = TlsFiles{"/c/ca.pem", "/c/cert.pem", "/c/key.pem"};
  tls.address = "10.0.0.12";
  EngineEndpoint ssh;
  ssh.name = "ssh";
  ssh.host = "ssh://ci@b:2222";
  ssh.ssh_config = "/c/ssh_config";
  const auto file = m_dir.path() / "engines.json";
  write_engine_endpoints(file, {tls, ssh});
  const auto read = read_engine_endpoints(file);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].host, tls.host);
  ASSERT_TRUE(read[0].tls.has_value());
  EXPECT_EQ(read[0].tls->key, "/c/key.pem");
  EXPECT_EQ(read[0].address, "10.0.0.12");
  EXPECT_EQ(read[1].name, "ssh");
  EXPECT_EQ(read[1].ssh_config, "/c/ssh_config");
  EXPECT_FALSE(read[1].tls.has_value());
}

}  // namespace
}  // namespace orchestrate
