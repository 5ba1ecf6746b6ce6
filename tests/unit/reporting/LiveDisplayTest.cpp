#include "reporting/LiveDisplay.hpp"
#include "TerminalScreen.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

const std::vector<StatusLine> k_three_lines{
  {"shard 1  running", LineTone::k_plain},
  {"shard 2  done: 3 passed", LineTone::k_good},
  {"[ 50%] 3 of 6 tests", LineTone::k_plain},
};

int count(const std::string& text, const std::string& part)
{
  int found = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++found;
  }
  return found;
}

TEST(LiveDisplayTest, FirstDrawWritesTheLinesWithoutMovingUp)
{
  LiveDisplay display(false);
  const auto text = display.redraw(k_three_lines);
  EXPECT_EQ(text.find("\r\033["), std::string::npos);
  EXPECT_EQ(count(text, "\n"), 3);
  EXPECT_NE(text.find("shard 1  running\n"), std::string::npos);
  EXPECT_EQ(display.lines_on_screen(), 3);
}

TEST(LiveDisplayTest, RedrawMovesUpAsManyLinesAsTheBlockTook)
{
  LiveDisplay display(false);
  display.redraw(k_three_lines);
  const auto text = display.redraw({{"only one line", LineTone::k_plain}});
  EXPECT_EQ(text.rfind("\r\033[3A", 0), 0u) << text;
  EXPECT_NE(text.find("\033[2Konly one line\n"), std::string::npos);
  // The block shrank: what is below its new last line is cleared.
  EXPECT_EQ(text.substr(text.size() - 3), "\033[J");
  EXPECT_EQ(display.lines_on_screen(), 1);
  EXPECT_EQ(display.redraw(k_three_lines).rfind("\r\033[1A", 0), 0u);
}

TEST(LiveDisplayTest, PrintsPermanentTextAboveTheBlock)
{
  LiveDisplay display(false);
  display.redraw(k_three_lines);
  const auto text = display.print_above("tests/a.py::test_b FAILED [ 50%]\n", k_three_lines);
  const auto permanent = text.find("tests/a.py::test_b FAILED [ 50%]\n");
  ASSERT_NE(permanent, std::string::npos);
  EXPECT_LT(text.find("\r\033[3A\033[J"), permanent);
  EXPECT_GT(text.find("shard 1  running"), permanent);
  EXPECT_EQ(display.lines_on_screen(), 3);
}

TEST(LiveDisplayTest, FinishLeavesTheLinesAndNeverMovesUpOverThemAgain)
{
  LiveDisplay display(false);
  display.redraw(k_three_lines);
  const auto text = display.finish(k_three_lines);
  EXPECT_EQ(text.rfind("\r\033[3A", 0), 0u);
  EXPECT_EQ(display.lines_on_screen(), 0);
  // A later block starts below the finished one.
  EXPECT_EQ(display.redraw(k_three_lines).find("\r\033["), std::string::npos);
}

TEST(LiveDisplayTest, EraseRemovesTheBlockAndWhatWasEchoedBelowIt)
{
  LiveDisplay display(false);
  display.redraw(k_three_lines);
  // Back to the block's first line, then clear to the end of the screen: a `^C` the terminal
  // echoed below the block goes too, and the next text takes the block's place.
  EXPECT_EQ(display.erase(), "\r\033[3A\033[J");
  EXPECT_EQ(display.lines_on_screen(), 0);
  EXPECT_EQ(display.erase(), "\033[J") << "nothing on screen: nothing to move over";
}

TEST(LiveDisplayTest, NoColourSequencesWhenColourIsOff)
{
  LiveDisplay display(false);
  std::string all = display.redraw(k_three_lines);
  all += display.print_above("message\n", k_three_lines);
  all += display.finish(k_three_lines);
  EXPECT_FALSE(testing::has_color_sequence(all)) << all;
}

TEST(LiveDisplayTest, ColoursLinesByToneWhenColourIsOn)
{
  LiveDisplay display(true);
  const auto text = display.redraw(k_three_lines);
  EXPECT_TRUE(testing::has_color_sequence(text));
  EXPECT_NE(text.find("\033[32mshard 2  done: 3 passed\033[0m"), std::string::npos) << text;
  EXPECT_NE(text.find("\033[2Kshard 1  running\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace orchestrate
