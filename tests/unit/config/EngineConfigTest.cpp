#include "ConfigTestProject.hpp"

namespace orchestrate {
namespace {

class EngineConfigTest : public ConfigTestProject
{
};

TEST_F(EngineConfigTest, ProjectWithoutEnginesHasNone)
{
  write_project();
  EXPECT_TRUE(load_project().engines.empty());
}

TEST_F(EngineConfigTest, ReadsEveryKeyOfEachTransport)
{
  write_project("engines:\n"                                         // line 5
                "  - name: local\n"
                "    host: unix:///var/run/docker.sock\n"
                "    memory_budget: 4GiB\n"
                "  - name: build-2\n"                                // line 9
                "    host: tcp://10.0.0.12:2376\n"
                "    tls: {ca: certs/ca.pem, cert: certs/cert.pem, key: certs/key.pem}\n"
                "    memory_budget: 8GiB\n"
                "    address: 10.0.0.12\n"
                "  - name: build-3\n"
                "    host: ssh://ci@build-3\n"
                "    ssh_config: ssh/config\n"
                "  - name: desk\n"
                "    context: desk\n"
                "    start_slots: 3\n");
  const auto engines = load_project().engines;
  ASSERT_EQ(engines.size(), 4u);
  EXPECT_EQ(engines[0].name, "local");
  EXPECT_EQ(engines[0].host, "unix:///var/run/docker.sock");
  EXPECT_EQ(engines[0].memory_budget_bytes, 4ull << 30);
  EXPECT_EQ(engines[1].line, 9);
  ASSERT_TRUE(engines[1].tls.has_value());
  EXPECT_EQ(engines[1].tls->ca, m_root / "certs/ca.pem");
  EXPECT_EQ(engines[1].tls->key, m_root / "certs/key.pem");
  EXPECT_EQ(engines[1].address, "10.0.0.12");
  EXPECT_EQ(engines[2].host, "ssh://ci@build-3");
  EXPECT_EQ(engines[2].ssh_config, m_root / "ssh/config");
  EXPECT_FALSE(engines[2].memory_budget_bytes.has_value());
  EXPECT_EQ(engines[3].context, "desk");
  EXPECT_TRUE(engines[3].host.empty());
  EXPECT_EQ(engines[3].start_slots, 3);
  EXPECT_FALSE(engines[0].start_slots.has_value());  // the run's
}

TEST_F(EngineConfigTest, RejectsStartSlotsThatAreNotAWholeNumberOfZeroOrMore)
{
  write_project("engines:\n  - name: a\n    host: tcp://h:2375\n    start_slots: two\n");
  expect_error_at(config_error([&] { load_project(); }), "orchestrate.yaml", 8,
                  "'engines[0].start_slots' must be an integer of at least 0, got 'two'");
}

TEST_F(EngineConfigTest, RejectsAnUnknownSchemeSayingWhichAreKnown)
{
  write_project("engines:\n  - name: a\n    host: npipe:////./pipe/docker\n");
  expect_error_at(config_error([&] { load_project(); }), "orchestrate.yaml", 7,
                  "unix:///path/to/docker.sock, tcp://host:port or ssh://[user@]host[:port]");
}

TEST_F(EngineConfigTest, RejectsAnEngineWithNeitherHostNorContext)
{
  write_project("engines:\n  - name: a\n    memory_budget: 1GiB\n");
  expect_error_at(config_error([&] { load_project(); }), "orchestrate.yaml", 6,
                  "engine 'a' needs 'host'");
}

TEST_F(EngineConfigTest, RejectsBothHostAndContext)
{
  write_project("engines:\n  - name: a\n    host: tcp://h:2375\n    context: b\n");
  expect_error_at(config_error([&] { load_project(); }), "orchestrate.yaml", 8,
                  "has both 'host' and 'context'; expected one of them");
}

TEST_F(EngineConfigTest, RejectsADuplicateName)
{
  write_project("engines:\n  - {name: a, host: tcp://h:2375}\n  - {name: a, host: tcp://i:2375}\n");
  expect_error_at(config_error([&] { load_project(); }), "orchestrate.yaml", 7,
                  "engine 'a' is defined twice");
}

TEST_F(EngineConfigTest, RejectsAnUnknownKeyListingTheKnownOnes)
{
  write_project("engines:\n  - {name: a, host: tcp://h:2375, budget: 1GiB}\n");
  expect_error_at(config_error([&] { load_project(); }), "orchestrate.yaml", 6, "memory_budget");
}

TEST_F(EngineConfigTest, RejectsTlsOnAnotherSchemeThanTcp)
{
  write_project("engines:\n  - name: a\n    host: ssh://h\n"
                "    tls: {ca: c/ca.pem, cert: c/cert.pem, key: c/key.pem}\n");
  expect_error_at(config_error([&] { load_project(); }), "orchestrate.yaml", 8,
                  "'tls' applies to a tcp:// host only");
}

TEST_F(EngineConfigTest, RejectsTlsFilesThatComposeCannotFindByName)
{
  write_project("engines:\n  - name: a\n    host: tcp://h:2376\n"
                "    tls: {ca: c/root.pem, cert: c/cert.pem, key: c/key.pem}\n");
  expect_error_at(config_error([&] { load_project(); }), "orchestrate.yaml", 8,
                  "must name ca.pem, cert.pem and key.pem of one folder");
}

TEST_F(EngineConfigTest, RejectsAnIncompleteTlsMapping)
{
  write_project("engines:\n  - name: a\n    host: tcp://h:2376\n    tls: {ca: c/ca.pem}\n");
  expect_error_at(config_error([&] { load_project(); }), "orchestrate.yaml", 8,
                  "missing required key 'cert'");
}

TEST_F(EngineConfigTest, RejectsSshConfigOnAnotherScheme)
{
  write_project("engines:\n  - {name: a, host: tcp://h:2375, ssh_config: x}\n");
  expect_error_at(config_error([&] { load_project(); }), "orchestrate.yaml", 6,
                  "'ssh_config' applies to an ssh:// host only");
}

TEST_F(EngineConfigTest, RejectsAZeroBudgetAndABadName)
{
  write_project("engines:\n  - {name: a, host: tcp://h:2375, memory_budget: 0}\n");
  expect_error_at(config_error([&] { load_project(); }), "orchestrate.yaml", 6,
                  "a byte size larger than 0");
  write_project("engines:\n  - {name: Big Box, host: tcp://h:2375}\n");
  expect_error_at(config_error([&] { load_project(); }), "orchestrate.yaml", 6,
                  "lowercase letters, digits");
}

TEST_F(EngineConfigTest, RejectsAnEmptyListAndAMapping)
{
  write_project("engines: []\n");
  expect_error_at(config_error([&] { load_project(); }), "orchestrate.yaml", 5,
                  "'engines' must be a non-empty list");
  write_project("engines: {name: a}\n");
  expect_error_at(config_error([&] { load_project(); }), "orchestrate.yaml", 5,
                  "'engines' must be");
}

}  // namespace
}  // namespace orchestrate
