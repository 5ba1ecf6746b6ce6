#include "cli/CliSupport.hpp"
#include "cli/OptionSources.hpp"

#include "core/Error.hpp"

#include <gtest/gtest.h>
#include <map>

namespace orchestrate::cli {
namespace {

namespace po = boost::program_options;

// A table shaped like `orchestrate run`'s: values, switches, a count, positional test ids.
class OptionSourcesTest : public ::testing::Test
{
protected:
  OptionSourcesTest()
  {
    m_described.add_options()
      ("help,h", "help")
      ("parallel,n", po::value<int>(), "shards")
      ("memory-budget", po::value<std::string>(), "budget")
      ("keyword,k", po::value<std::string>(), "-k")
      ("lf", po::bool_switch(), "last failed")
      ("color", po::value<std::string>()->default_value("auto"), "color")
      ("verbose,v", po::value<int>()->zero_tokens()->implicit_value(1), "more");
    m_hidden.add_options()("tests", po::value<std::vector<std::string>>()->composing(), "ids");
    m_positional.add("tests", -1);
  }

  po::variables_map parse(const std::vector<std::string>& arguments,
                          std::map<std::string, std::string> environment)
  {
    auto parsed = parse_command_line_and_environment(
      arguments, "", m_described, m_hidden, m_positional,
      [environment](const std::string& name) -> std::optional<std::string> {
        const auto found = environment.find(name);
        return found != environment.end() ? std::optional(found->second) : std::nullopt;
      });
    return parsed.value();
  }

  std::string usage_error(const std::vector<std::string>& arguments,
                          std::map<std::string, std::string> environment)
  {
    try {
      parse(arguments, std::move(environment));
    } catch (const UsageError& error) {
      return error.what();
    }
    return "no error";
  }

  po::options_description m_described;
  po::options_description m_hidden;
  po::positional_options_description m_positional;
};

TEST_F(OptionSourcesTest, VariableNameIsTheLongNameInCapitalsWithUnderscores)
{
  EXPECT_EQ(environment_variable_for(m_described.find("memory-budget", false)),
            "ORCHESTRATE_MEMORY_BUDGET");
  EXPECT_EQ(environment_variable_for(m_described.find("parallel", false)),
            "ORCHESTRATE_PARALLEL");
}

TEST_F(OptionSourcesTest, VariablesSetOptionsTheCommandLineLeavesOut)
{
  const auto values = parse({}, {{"ORCHESTRATE_PARALLEL", "8"},
                                 {"ORCHESTRATE_MEMORY_BUDGET", "2GiB"},
                                 {"ORCHESTRATE_COLOR", "yes"}});
  EXPECT_EQ(values["parallel"].as<int>(), 8);
  EXPECT_EQ(values["memory-budget"].as<std::string>(), "2GiB");
  EXPECT_EQ(values["color"].as<std::string>(), "yes");
}

TEST_F(OptionSourcesTest, CommandLineWinsOverAddoptsWhichWinsOverVariables)
{
  const std::map<std::string, std::string> environment{
    {"ORCHESTRATE_PARALLEL", "2"}, {"ORCHESTRATE_KEYWORD", "from_variable"},
    {"ORCHESTRATE_ADDOPTS", "-n 4 -k from_addopts"}};
  const auto values = parse({"-n", "6"}, environment);
  EXPECT_EQ(values["parallel"].as<int>(), 6);
  EXPECT_EQ(values["keyword"].as<std::string>(), "from_addopts");
  EXPECT_EQ(parse({}, environment)["parallel"].as<int>(), 4);
}

TEST_F(OptionSourcesTest, SwitchVariablesTakeBooleanWords)
{
  EXPECT_TRUE(parse({}, {{"ORCHESTRATE_LF", "1"}})["lf"].as<bool>());
  EXPECT_TRUE(parse({}, {{"ORCHESTRATE_LF", "Yes"}})["lf"].as<bool>());
  EXPECT_FALSE(parse({}, {{"ORCHESTRATE_LF", "0"}})["lf"].as<bool>());
  EXPECT_FALSE(parse({}, {{"ORCHESTRATE_LF", ""}})["lf"].as<bool>());
  EXPECT_EQ(parse({}, {{"ORCHESTRATE_VERBOSE", "true"}})["verbose"].as<int>(), 1);
  EXPECT_NE(usage_error({}, {{"ORCHESTRATE_LF", "maybe"}})
              .find("ORCHESTRATE_LF='maybe': --lf is a switch"),
            std::string::npos);
}

TEST_F(OptionSourcesTest, AddoptsIsSplitLikeShellWordsAndMayHoldTestIds)
{
  const auto values =
    parse({"a.py"}, {{"ORCHESTRATE_ADDOPTS", R"(-k "slow and not db" b.py::test\ x)"}});
  EXPECT_EQ(values["keyword"].as<std::string>(), "slow and not db");
  EXPECT_EQ(values["tests"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"a.py", "b.py::test x"}));
}

TEST_F(OptionSourcesTest, BadValuesNameTheVariable)
{
  EXPECT_NE(usage_error({}, {{"ORCHESTRATE_PARALLEL", "ten"}}).find("ORCHESTRATE_PARALLEL='ten'"),
            std::string::npos);
  EXPECT_NE(usage_error({}, {{"ORCHESTRATE_ADDOPTS", "--no-such-option"}})
              .find("ORCHESTRATE_ADDOPTS='--no-such-option'"),
            std::string::npos);
  EXPECT_NE(usage_error({}, {{"ORCHESTRATE_ADDOPTS", "-k 'unclosed"}})
              .find("ORCHESTRATE_ADDOPTS='-k 'unclosed': a quote is not closed"),
            std::string::npos);
  EXPECT_NE(usage_error({}, {{"ORCHESTRATE_ADDOPTS", "-k a\\"}}).find("ORCHESTRATE_ADDOPTS="),
            std::string::npos);
}

TEST_F(OptionSourcesTest, BadVariableIsIgnoredWhenTheCommandLineSetsTheOption)
{
  EXPECT_EQ(parse({"-n", "3"}, {{"ORCHESTRATE_PARALLEL", "ten"}})["parallel"].as<int>(), 3);
}

TEST_F(OptionSourcesTest, HelpAndUnknownVariablesAreNotOptions)
{
  const auto values = parse({}, {{"ORCHESTRATE_HELP", "1"}, {"ORCHESTRATE_SHARD_INDEX", "2"}});
  EXPECT_EQ(values.count("help"), 0u);
}

TEST_F(OptionSourcesTest, DescribeModeHandsOverTheTableWithoutRunningTheCommand)
{
  bool ran = false;
  const auto description = describe_command([&](const std::vector<std::string>& arguments) {
    if (!parse_command_line(arguments, "usage: x", m_described)) {
      return 0;
    }
    ran = true;
    return 0;
  });
  EXPECT_FALSE(ran);
  EXPECT_EQ(description.usage, "usage: x");
  // The described options plus --version, which every command takes.
  ASSERT_EQ(description.options.size(), m_described.options().size() + 1);
  EXPECT_EQ(description.options.back()->long_name(), "version");
}

}  // namespace
}  // namespace orchestrate::cli
