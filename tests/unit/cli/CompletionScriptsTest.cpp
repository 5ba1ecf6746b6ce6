#include "cli/CompletionScripts.hpp"

#include <gtest/gtest.h>

namespace orchestrate::cli {
namespace {

std::vector<CommandEntry> sample_commands()
{
  CommandEntry run;
  run.name = "run";
  run.summary = "run a suite";
  run.usage = "usage: orchestrate [run]\n.starts with a dot";
  run.takes_paths = true;
  run.options.push_back({{"collect-only", "co"}, "", false, {}, "print the ids", ""});
  run.options.push_back(
    {{"color"}, "", true, {"auto", "yes", "no"}, "colour [it's pytest's]", "auto"});
  run.options.push_back({{"keyword"}, "k", true, {}, "only tests matching EXPR", ""});
  CommandEntry env;
  env.name = "env";
  env.summary = "long-lived environments";
  env.actions = {"up", "down", "status"};
  env.options.push_back({{"env"}, "", true, {}, "environment", ""});
  return {run, env};
}

TEST(CompletionScriptsTest, BashOffersEveryOptionSpellingAndTheChoices)
{
  const auto text = bash_completion(sample_commands());
  EXPECT_NE(text.find("run) options='--collect-only --co --color --keyword -k'"), std::string::npos)
    << text;
  EXPECT_NE(text.find("'run --color')\n      COMPREPLY=($(compgen -W 'auto yes no'"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("env) options='--env' actions='up down status'"), std::string::npos);
  EXPECT_NE(text.find("complete -o filenames -F _orchestrate orchestrate"), std::string::npos);
}

TEST(CompletionScriptsTest, ZshSpecsEscapeBracketsAndQuotes)
{
  const auto text = zsh_completion(sample_commands());
  EXPECT_EQ(text.rfind("#compdef orchestrate\n", 0), 0u);
  EXPECT_NE(text.find("'--color[colour  it'\\''s pytest'\\''s ]:color:(auto yes no)'"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("'(--keyword -k)-k[only tests matching EXPR]:keyword:_files'"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("'1:action:(up down status)'"), std::string::npos);
}

TEST(CompletionScriptsTest, FishGivesRunTheOptionsUsedWithoutACommand)
{
  const auto text = fish_completion(sample_commands());
  EXPECT_NE(text.find("complete -c orchestrate -n 'not __fish_seen_subcommand_from run env; or "
                      "__fish_seen_subcommand_from run' -l collect-only -l co -d 'print the ids'"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("-l color -x -a 'auto yes no'"), std::string::npos);
  EXPECT_NE(text.find("-n '__fish_seen_subcommand_from env' -a 'up down status'"),
            std::string::npos);
}

TEST(CompletionScriptsTest, ManPageEscapesDashesAndLeadingDots)
{
  const auto text = man_page(sample_commands(), "9.9.9");
  EXPECT_NE(text.find(".TH ORCHESTRATE 1 \"\" \"orchestrate 9.9.9\""), std::string::npos);
  EXPECT_NE(text.find(".TP\n\\fB\\-\\-collect\\-only\\fR, \\fB\\-\\-co\\fR\nprint the ids\n"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("\n\\&.starts with a dot\n"), std::string::npos);
  EXPECT_NE(text.find("colour [it's pytest's] (auto, yes, no); default: auto\n"), std::string::npos)
    << text;
  EXPECT_NE(text.find(".SH EXIT STATUS"), std::string::npos);
  EXPECT_NE(text.find("ORCHESTRATE_ADDOPTS"), std::string::npos);
}

}  // namespace
}  // namespace orchestrate::cli
