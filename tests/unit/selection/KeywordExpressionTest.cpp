#include "selection/KeywordExpression.hpp"

#include "core/Error.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace orchestrate {
namespace {

constexpr const char* k_pg_test = "suites/integration/test_pg.py::TestOrders::test_insert[a-1]";

bool matches(const std::string& expression, const std::string& test_id)
{
  return KeywordExpression::parse(expression).matches(test_id);
}

std::string parse_error(const std::string& expression)
{
  try {
    KeywordExpression::parse(expression);
  } catch (const UsageError& error) {
    return error.what();
  }
  return "no error";
}

TEST(KeywordExpressionTest, EmptyOrBlankExpressionMatchesEveryTest)
{
  EXPECT_TRUE(matches("", k_pg_test));
  EXPECT_TRUE(matches("  \t ", k_pg_test));
  EXPECT_TRUE(KeywordExpression().matches("anything"));
}

TEST(KeywordExpressionTest, IdentifierMatchesASubstringOfTheTestName)
{
  EXPECT_TRUE(matches("insert", k_pg_test));
  EXPECT_TRUE(matches("test_ins", k_pg_test));
  EXPECT_FALSE(matches("update", k_pg_test));
}

TEST(KeywordExpressionTest, MatchingIgnoresCase)
{
  EXPECT_TRUE(matches("testorders", k_pg_test));
  EXPECT_TRUE(matches("TEST_INSERT", k_pg_test));
  EXPECT_TRUE(matches("Integration", "suites/INTEGRATION/test_pg.py::test_x"));
}

TEST(KeywordExpressionTest, MatchesTheNamesOfParentFoldersModuleAndClass)
{
  EXPECT_TRUE(matches("suites", k_pg_test));
  EXPECT_TRUE(matches("integration", k_pg_test));
  EXPECT_TRUE(matches("test_pg.py", k_pg_test));
  EXPECT_TRUE(matches("Orders", k_pg_test));
  EXPECT_FALSE(matches("Orders", "suites/integration/test_pg.py::test_insert"));
}

TEST(KeywordExpressionTest, ModulePathMatchesAsOneNameAsInPytest)
{
  // pytest names a module under the rootdir by its relative path.
  EXPECT_TRUE(matches("integration/test_pg", k_pg_test));
}

TEST(KeywordExpressionTest, DoesNotMatchAcrossTheSeparatorsOfPytestNames)
{
  EXPECT_FALSE(matches("TestOrders::test_insert", k_pg_test));
  EXPECT_FALSE(matches("test_pg.py::TestOrders", k_pg_test));
}

TEST(KeywordExpressionTest, ParametersBelongToTheFunctionNameWhateverTheyContain)
{
  const std::string test_id = "tests/test_a.py::test_path[a/b::c]";
  EXPECT_TRUE(matches("test_path[a/b::c]", test_id));
  EXPECT_TRUE(matches("b::c", test_id));
  EXPECT_TRUE(matches("a-1]", k_pg_test));
  EXPECT_EQ(keyword_names(test_id),
            (std::vector<std::string>{"tests/test_a.py", "tests", "test_a.py",
                                      "test_path[a/b::c]"}));
}

TEST(KeywordExpressionTest, NamesOfAPytestIdAreItsParentsLowercased)
{
  EXPECT_EQ(keyword_names(k_pg_test),
            (std::vector<std::string>{"suites/integration/test_pg.py", "suites", "integration",
                                      "test_pg.py", "testorders", "test_insert[a-1]"}));
}

TEST(KeywordExpressionTest, GtestIdMatchesSuiteTestAndTheWholeId)
{
  EXPECT_TRUE(matches("RedisSuite", "RedisSuite.SetsAKey"));
  EXPECT_TRUE(matches("SetsAKey", "RedisSuite.SetsAKey"));
  EXPECT_TRUE(matches("RedisSuite.SetsAKey", "RedisSuite.SetsAKey"));
  EXPECT_TRUE(matches("Suite.Sets and not Other", "Inst/RedisSuite.SetsAKey/0"));
  EXPECT_FALSE(matches("OtherSuite", "RedisSuite.SetsAKey"));
  EXPECT_EQ(keyword_names("RedisSuite.SetsAKey"),
            (std::vector<std::string>{"redissuite.setsakey", "redissuite", "setsakey"}));
  EXPECT_EQ(keyword_names("Inst/RedisSuite.SetsAKey/0"),
            (std::vector<std::string>{"inst/redissuite.setsakey/0", "inst", "redissuite.setsakey",
                                      "redissuite", "setsakey", "0"}));
}

TEST(KeywordExpressionTest, NotBindsTighterThanAndWhichBindsTighterThanOr)
{
  // `a or b and not c` is `a or (b and (not c))`.
  const auto expression = KeywordExpression::parse("alpha or beta and not gamma");
  EXPECT_TRUE(expression.matches("t.py::test_alpha_gamma"));  // ((a or b) and not c) would not
  EXPECT_TRUE(expression.matches("t.py::test_beta"));
  EXPECT_FALSE(expression.matches("t.py::test_beta_gamma"));
  EXPECT_FALSE(expression.matches("t.py::test_delta"));

  // `not a and b` is `(not a) and b`.
  EXPECT_FALSE(matches("not alpha and beta", "t.py::test_delta"));  // not (a and b) would
  EXPECT_TRUE(matches("not alpha and beta", "t.py::test_beta"));
}

TEST(KeywordExpressionTest, ParenthesesOverridePrecedence)
{
  const auto expression = KeywordExpression::parse("(alpha or beta) and not gamma");
  EXPECT_FALSE(expression.matches("t.py::test_alpha_gamma"));
  EXPECT_TRUE(expression.matches("t.py::test_alpha"));
  EXPECT_TRUE(matches("not (alpha and beta)", "t.py::test_alpha"));
  EXPECT_FALSE(matches("not (alpha and beta)", "t.py::test_alpha_beta"));
  EXPECT_TRUE(matches("((alpha))", "t.py::test_alpha"));
}

TEST(KeywordExpressionTest, NotCanBeRepeated)
{
  EXPECT_TRUE(matches("not not alpha", "t.py::test_alpha"));
  EXPECT_FALSE(matches("not not not alpha", "t.py::test_alpha"));
}

TEST(KeywordExpressionTest, OnlyLowercaseOperatorsAreOperators)
{
  // As in pytest, `OR` and `Not` are identifiers (matched case-insensitively).
  EXPECT_TRUE(matches("OR", "t.py::test_order"));
  EXPECT_FALSE(matches("OR", "t.py::test_alpha"));
  EXPECT_TRUE(matches("Not", "t.py::test_notify"));
}

TEST(KeywordExpressionTest, IdentifiersMayHoldPytestsExtraCharacters)
{
  EXPECT_TRUE(matches("test_x[p-q]", "t.py::test_x[p-q]"));
  EXPECT_TRUE(matches("1.5+2", "t.py::test_x[1.5+2]"));
  EXPECT_TRUE(matches("a:b", "t.py::test_x[a:b]"));
  EXPECT_TRUE(matches("a\\b", "t.py::test_x[a\\b]"));
  EXPECT_TRUE(matches("ünï", "t.py::test_ünïcode"));
}

TEST(KeywordExpressionTest, RejectsDanglingOperatorsWithColumnAndExpectation)
{
  EXPECT_EQ(parse_error("a and "),
            "-k: expected an identifier, 'not' or '(' at column 7 in 'a and ' (got end of input)");
  EXPECT_EQ(parse_error("or a"),
            "-k: expected an identifier, 'not' or '(' at column 1 in 'or a' (got 'or')");
  EXPECT_NE(parse_error("not").find("at column 4"), std::string::npos);
  EXPECT_NE(parse_error("a and or b").find("at column 7"), std::string::npos);
}

TEST(KeywordExpressionTest, RejectsUnbalancedParentheses)
{
  EXPECT_EQ(parse_error("(a or b"),
            "-k: expected ')' at column 8 in '(a or b' (got end of input)");
  EXPECT_EQ(parse_error("a or b)"), "-k: unmatched ')' at column 7 in 'a or b)' (got ')')");
}

TEST(KeywordExpressionTest, RejectsEmptyParentheses)
{
  EXPECT_EQ(parse_error("a and ()"),
            "-k: expected an identifier, 'not' or '(' at column 8 in 'a and ()' (got ')')");
}

TEST(KeywordExpressionTest, RejectsTrailingTokens)
{
  EXPECT_EQ(parse_error("a b"), "-k: expected 'and', 'or' or end of input at column 3 in 'a b' "
                                "(got identifier 'b')");
  EXPECT_NE(parse_error("(a) (b)").find("at column 5"), std::string::npos);
  EXPECT_NE(parse_error("a not b").find("got 'not'"), std::string::npos);
}

TEST(KeywordExpressionTest, RejectsCharactersPytestDoesNotAllow)
{
  EXPECT_EQ(parse_error("a & b"), "-k: unexpected character '&' at column 3 in 'a & b'");
  EXPECT_NE(parse_error("a or \"b\"").find("unexpected character '\"' at column 6"),
            std::string::npos);
}

TEST(KeywordExpressionTest, RejectsAbsurdNestingInsteadOfOverflowingTheStack)
{
  EXPECT_NE(parse_error(std::string(100'000, '(') + "a").find("nested more than"),
            std::string::npos);
}

TEST(KeywordExpressionTest, LongOperatorChainsParseAndEvaluateWithoutDeepRecursion)
{
  std::string expression;
  for (int i = 0; i < 50'000; ++i) {
    expression += "not_here" + std::to_string(i) + " or ";
  }
  expression += "alpha";
  const auto parsed = KeywordExpression::parse(expression);
  EXPECT_TRUE(parsed.matches("t.py::test_alpha"));
  EXPECT_FALSE(parsed.matches("t.py::test_beta"));
  EXPECT_EQ(parsed.text(), expression);
}

}  // namespace
}  // namespace orchestrate
