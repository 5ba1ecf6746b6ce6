#include "reporting/ColorChoice.hpp"

#include "core/Error.hpp"

#include <gtest/gtest.h>
#include <map>

namespace orchestrate {
namespace {

auto variables(std::map<std::string, std::string> values)
{
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    const auto found = values.find(name);
    return found != values.end() ? std::optional(found->second) : std::nullopt;
  };
}

TEST(ColorChoiceTest, ParsesAutoYesNoAndRejectsTheRest)
{
  EXPECT_EQ(parse_color_choice("auto"), ColorChoice::k_auto);
  EXPECT_EQ(parse_color_choice("yes"), ColorChoice::k_yes);
  EXPECT_EQ(parse_color_choice("no"), ColorChoice::k_no);
  EXPECT_THROW(parse_color_choice("always"), UsageError);
}

TEST(ColorChoiceTest, AutoColorsATerminalUnlessTermIsDumb)
{
  EXPECT_TRUE(should_color(ColorChoice::k_auto, true, variables({{"TERM", "xterm"}})));
  EXPECT_FALSE(should_color(ColorChoice::k_auto, true, variables({{"TERM", "dumb"}})));
  EXPECT_FALSE(should_color(ColorChoice::k_auto, false, variables({{"TERM", "xterm"}})));
}

TEST(ColorChoiceTest, ForceColorColorsALogThatIsNoTerminal)
{
  EXPECT_TRUE(should_color(ColorChoice::k_auto, false, variables({{"FORCE_COLOR", "1"}})));
  EXPECT_FALSE(should_color(ColorChoice::k_auto, false, variables({{"FORCE_COLOR", ""}})));
}

TEST(ColorChoiceTest, NoColorWinsOverForceColorAsInPytest)
{
  EXPECT_FALSE(should_color(ColorChoice::k_auto, true,
                            variables({{"NO_COLOR", "1"}, {"FORCE_COLOR", "1"}})));
  EXPECT_TRUE(should_color(ColorChoice::k_auto, true, variables({{"NO_COLOR", ""}})));
}

TEST(ColorChoiceTest, YesAndNoIgnoreTheEnvironment)
{
  EXPECT_TRUE(should_color(ColorChoice::k_yes, false, variables({{"NO_COLOR", "1"}})));
  EXPECT_FALSE(should_color(ColorChoice::k_no, true, variables({{"FORCE_COLOR", "1"}})));
}

}  // namespace
}  // namespace orchestrate
