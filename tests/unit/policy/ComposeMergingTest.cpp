// How lint sees a service whose settings come from several places: extends templates, YAML anchors
// and merge keys, several files merged in -f order, and compose's !reset / !override tags. Also
// the errors for files it cannot read.

#include "ComposeLintTestBase.hpp"

namespace orchestrate {
namespace {

class ComposeMergingTest : public ComposeLintTestBase
{
};

constexpr const char* k_base_template =
  "x-limits: &limits\n"                                                // 1
  "  memory: 256M\n"                                                   // 2
  "  cpus: \"1.0\"\n"                                                  // 3
  "services:\n"                                                        // 4
  "  postgres:\n"                                                      // 5
  "    image: orchestrate/postgres:latest\n"                           // 6
  "    healthcheck: {test: [CMD, pg_isready]}\n"                       // 7
  "    logging: {driver: json-file, options: {max-size: 10m}}\n"       // 8
  "    deploy: {resources: {limits: *limits}}\n";                      // 9

TEST_F(ComposeMergingTest, ALimitInAnExtendedTemplateOfAnotherFileSatisfiesTheRule)
{
  write("compose/docker-compose.base.yml", k_base_template);
  const auto file = write("compose/docker-compose.test.yml",
                          "services:\n"
                          "  test-postgres:\n"
                          "    extends: {file: docker-compose.base.yml, service: postgres}\n"
                          "    ports: [\"127.0.0.1::5432\"]\n");
  expect_clean({file}, gated_on_health({"test-postgres"}));
}

TEST_F(ComposeMergingTest, AMissingSettingOfAnExtendingServiceIsReportedWhereItIsDefined)
{
  write("compose/base.yml",
        "services:\n"
        "  db:\n"
        "    image: orchestrate/postgres:latest\n"
        "    deploy: {resources: {limits: {cpus: \"1\"}}}\n"
        "    logging: {driver: local}\n");
  const auto file = write("compose/test.yml",
                          "services:\n"
                          "  other:\n"
                          "    extends: {file: base.yml, service: db}\n"
                          "    mem_limit: 64m\n"
                          "  test-db:\n"
                          "    extends: {file: base.yml, service: db}\n");
  expect_one_violation({file}, "memory-limit", file, 5, "test-db");
}

TEST_F(ComposeMergingTest, AnOffendingSettingInATemplateIsReportedAtItsKeyInTheTemplateFile)
{
  const auto base = write("templates/base.yml",
                          "services:\n" +
                            limited_service("db", std::string(k_local_logging) +
                                                    "    container_name: the-db\n"));
  const auto file = write("compose/test.yml",
                          "services:\n"
                          "  test-db:\n"
                          "    extends:\n"
                          "      file: ../templates/base.yml\n"
                          "      service: db\n");
  const auto message = expect_one_violation({file}, "container-name", base.lexically_normal(), 5,
                                            "test-db");
  EXPECT_TRUE(contains(message, "inherited through extends from service 'db'"));
}

TEST_F(ComposeMergingTest, ExtendsWithinOneFileAndChainsOfTemplatesAreFollowed)
{
  const auto file = write("compose.yml",
                          "services:\n" + limited_service("limited", k_local_logging) +
                            "  healthy:\n"
                            "    extends: limited\n"
                            "    healthcheck: {test: [CMD, \"true\"]}\n"
                            "  app:\n"
                            "    extends: {service: healthy}\n");
  expect_clean({file}, gated_on_health({"app"}));
}

TEST_F(ComposeMergingTest, ALaterFileAddsTheLimitAnEarlierFileLacks)
{
  const auto first = write("compose.yml",
                           "services:\n"
                           "  app:\n"
                           "    image: orchestrate/busybox:latest\n"
                           "    logging: {driver: local}\n"
                           "  worker:\n"
                           "    image: orchestrate/busybox:latest\n"
                           "    logging: {driver: local}\n");
  const auto limits = write("compose.limits.yml",
                            "services:\n"
                            "  app:\n"
                            "    deploy: {resources: {limits: {memory: 64M, cpus: \"1\"}}}\n"
                            "  worker:\n"
                            "    mem_limit: 64m\n"
                            "    cpus: 0.5\n");
  expect_clean({first, write("empty-services.yml", "services: {}\n"), limits,
                write("only-x.yml", "x-note: nothing\nservices:\n")});

  const auto memory_only = write("compose.memory.yml",
                                 "services:\n"
                                 "  app:\n"
                                 "    deploy: {resources: {limits: {memory: 64M, cpus: \"1\"}}}\n"
                                 "  worker:\n"
                                 "    mem_limit: 64m\n");
  // The missing CPU limit is reported where the service is first defined.
  expect_one_violation({first, memory_only}, "cpu-limit", first, 5, "worker");
}

TEST_F(ComposeMergingTest, AnOffendingSettingOfALaterFileIsReportedInThatFile)
{
  const auto first = write("compose.yml", clean_compose());
  const auto second = write("compose.override.yml",
                            "services:\n"
                            "  app:\n"
                            "    ports: [\"5432:5432\"]\n");
  expect_one_violation({first, second}, "fixed-host-port", second, 3, "app");
}

TEST_F(ComposeMergingTest, ResetAndOverrideTagsRemoveWhatEarlierFilesSet)
{
  const auto first = write("compose.yml",
                           clean_compose("    ports: [\"8080:80\"]\n"
                                         "    privileged: true\n"));
  const auto second = write("compose.override.yml",
                            "services:\n"
                            "  app:\n"
                            "    ports: !override [\"127.0.0.1::80\"]\n"
                            "    privileged: !reset null\n"
                            "    deploy: !reset {}\n");
  const auto violations = lint_compose_files({first, second}, {});
  ASSERT_EQ(violations.size(), 2u) << describe(violations);
  EXPECT_EQ(violations[0].rule, "memory-limit");
  EXPECT_EQ(violations[1].rule, "cpu-limit");
  EXPECT_EQ(violations[1].file, first);
  EXPECT_EQ(violations[1].line, 2);
}

TEST_F(ComposeMergingTest, AnchorsAndMergeKeysProvideSettings)
{
  const auto file = write("compose.yml",
                          "x-defaults: &defaults\n"
                          "  logging:\n"
                          "    driver: json-file\n"
                          "    options: {max-size: 1m}\n"
                          "  deploy: {resources: {limits: {memory: 64M, cpus: \"0.5\"}}}\n"
                          "x-timing: &timing {interval: 1s, retries: 5}\n"
                          "x-limits: &limits {memory: 32M}\n"
                          "services:\n"
                          "  app:\n"
                          "    <<: *defaults\n"
                          "    healthcheck:\n"
                          "      <<: *timing\n"
                          "      test: [CMD, \"true\"]\n"
                          "  worker:\n"
                          "    <<: [*defaults, {privileged: false}]\n"
                          "    deploy:\n"
                          "      resources:\n"
                          "        limits:\n"
                          "          <<: *limits\n"
                          "          cpus: \"0.25\"\n");
  expect_clean({file}, gated_on_health({"app"}));
}

TEST_F(ComposeMergingTest, AnOffendingSettingFromAnAnchorIsReportedWhereTheAnchorWritesIt)
{
  const auto file = write("compose.yml",
                          "x-risky: &risky\n"
                          "  privileged: true\n"
                          "services:\n" +
                            limited_service("app", std::string("    <<: *risky\n") +
                                                     k_local_logging) +
                            limited_service("keeps-own", std::string("    <<: *risky\n") +
                                                           "    privileged: false\n" +
                                                           k_local_logging));
  expect_one_violation({file}, "privileged", file, 2, "app");
}

TEST_F(ComposeMergingTest, TopLevelExtensionKeysAreNotServices)
{
  const auto file = write("compose.yml",
                          "x-template:\n"
                          "  image: orchestrate/busybox:latest\n"
                          "  privileged: true\n"
                          "version: \"3.8\"\n"
                          "networks: {default: {}}\n" +
                            clean_compose());
  expect_clean({file});
}

// Errors

TEST_F(ComposeMergingTest, InvalidYamlIsAConfigErrorWithFileAndLine)
{
  const auto file = write("compose.yml",
                          "services:\n"
                          "  app:\n"
                          "    image: [unclosed\n"
                          "    ports: x\n");
  // yaml-cpp notices the unclosed flow sequence at the next line.
  EXPECT_TRUE(contains(config_error({file}), file.string() + ":4: invalid YAML: "));
}

TEST_F(ComposeMergingTest, AMissingFileIsAConfigError)
{
  const auto missing = m_temp_dir->path() / "nope.yml";
  EXPECT_EQ(config_error({missing}), missing.string() + ": file not found");
}

TEST_F(ComposeMergingTest, AnEmptyFileOrANonMappingIsAConfigErrorAtItsLine)
{
  const auto empty = write("empty.yml", "# nothing here\n");
  EXPECT_TRUE(contains(config_error({empty}), empty.string() + ":1: file is empty"));
  const auto list = write("list.yml", "\n- services\n");
  EXPECT_TRUE(contains(config_error({list}), list.string() + ":2: expected a mapping"));
  const auto services = write("services.yml", "services:\n  - app\n");
  EXPECT_TRUE(contains(config_error({services}), services.string() + ":1: 'services' must be"));
  const auto service = write("service.yml", "services:\n  app: busybox\n");
  EXPECT_TRUE(contains(config_error({service}), service.string() + ":2: service 'app' must be"));
}

TEST_F(ComposeMergingTest, AnExtendsOfAMissingFileOrServiceIsAConfigErrorAtTheExtendsLine)
{
  write("base.yml", "services:\n  db: {image: orchestrate/postgres:latest}\n");
  const auto no_file = write("a.yml",
                             "services:\n"
                             "  app:\n"
                             "    extends: {file: missing.yml, service: db}\n");
  EXPECT_TRUE(contains(config_error({no_file}), no_file.string() + ":3: extends: file"));
  const auto no_service = write("b.yml",
                                "services:\n"
                                "  app:\n"
                                "    image: orchestrate/busybox:latest\n"
                                "    extends: {file: base.yml, service: cache}\n");
  EXPECT_TRUE(contains(config_error({no_service}),
                       no_service.string() + ":4: extends: no service 'cache'"));
  const auto malformed = write("c.yml", "services:\n  app:\n    extends: {file: base.yml}\n");
  EXPECT_TRUE(contains(config_error({malformed}), malformed.string() + ":3: 'extends'"));
}

TEST_F(ComposeMergingTest, AnExtendsLoopIsAConfigError)
{
  const auto file = write("compose.yml",
                          "services:\n"
                          "  a:\n"
                          "    extends: b\n"
                          "  b:\n"
                          "    extends: a\n");
  EXPECT_TRUE(contains(config_error({file}), "loops"));
}

TEST_F(ComposeMergingTest, AMappingWhereAListBelongsIsAConfigError)
{
  const auto file = write("compose.yml", clean_compose("    ports: {web: 80}\n"));
  EXPECT_TRUE(contains(config_error({file}),
                       file.string() + ":" + std::to_string(k_first_extra_line) +
                         ": 'ports' of service 'app' must be a list"));
}

}  // namespace
}  // namespace orchestrate
