#include "reporting/JunitXml.hpp"

#include "core/Error.hpp"
#include "unit/reporting/JunitSamples.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace orchestrate {
namespace {

const TestResult& find_result(const std::vector<TestResult>& results, const std::string& id)
{
  for (const TestResult& result : results) {
    if (result.id == id) {
      return result;
    }
  }
  throw std::runtime_error("no result with id " + id);
}

std::vector<std::string> ids_of(const std::vector<TestResult>& results)
{
  std::vector<std::string> ids;
  for (const TestResult& result : results) {
    ids.push_back(result.id);
  }
  return ids;
}

std::string read_text(const std::filesystem::path& file)
{
  std::ifstream stream(file);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

void write_text(const std::filesystem::path& file, const std::string& text)
{
  std::ofstream(file) << text;
}

TEST(JunitXmlReadTest, RebuildsPytestNodeIdsFromXunit2)
{
  const auto results = parse_junit_xml(junit_samples::k_pytest_xunit2, "out.xml");
  const std::vector<std::string> expected{
    "suites/integration/test_pg.py::test_pass",
    "suites/integration/test_pg.py::test_fail",
    "suites/integration/test_pg.py::test_skip",
    "suites/integration/test_pg.py::test_xfail",
    "suites/integration/test_pg.py::test_xpass",
    "suites/integration/test_pg.py::test_error",
    "suites/integration/test_pg.py::test_param[1-a]",
    "suites/integration/test_pg.py::test_param[2-b]",
    "suites/integration/test_pg.py::TestCls::test_y",
  };
  EXPECT_EQ(ids_of(results), expected);
  EXPECT_EQ(results[8].classname, "suites.integration.test_pg.TestCls");
  EXPECT_EQ(results[8].name, "test_y");
}

TEST(JunitXmlReadTest, MapsPytestOutcomes)
{
  const auto results = parse_junit_xml(junit_samples::k_pytest_xunit2, "out.xml");
  const std::string module = "suites/integration/test_pg.py::";
  EXPECT_EQ(find_result(results, module + "test_pass").outcome, Outcome::k_passed);
  EXPECT_EQ(find_result(results, module + "test_fail").outcome, Outcome::k_failed);
  EXPECT_EQ(find_result(results, module + "test_skip").outcome, Outcome::k_skipped);
  EXPECT_EQ(find_result(results, module + "test_xfail").outcome, Outcome::k_xfailed);
  // pytest's JUnit XML writes a non-strict xpass as a plain pass: nothing tells them apart.
  EXPECT_EQ(find_result(results, module + "test_xpass").outcome, Outcome::k_passed);
  EXPECT_EQ(find_result(results, module + "test_error").outcome, Outcome::k_error);
  EXPECT_EQ(find_result(results, module + "test_param[2-b]").outcome, Outcome::k_failed);
}

TEST(JunitXmlReadTest, KeepsMessagesOnOneLineAndTheFullTextInDetails)
{
  const auto results = parse_junit_xml(junit_samples::k_pytest_xunit2, "out.xml");
  const std::string module = "suites/integration/test_pg.py::";
  const TestResult& failed = find_result(results, module + "test_fail");
  EXPECT_EQ(failed.message, "AssertionError: numbers differ assert 1 == 2");
  EXPECT_NE(failed.details.find("suites/integration/test_pg.py:11: AssertionError"),
            std::string::npos);
  EXPECT_NE(failed.details.find(">       assert 1 == 2, \"numbers differ\""), std::string::npos);
  EXPECT_EQ(find_result(results, module + "test_skip").message, "not today");
  EXPECT_EQ(find_result(results, module + "test_xfail").message, "known bug");
  EXPECT_EQ(find_result(results, module + "test_error").message,
            "failed on setup with \"RuntimeError: fixture exploded\"");
}

TEST(JunitXmlReadTest, ReadsDurationsToTheMillisecond)
{
  const auto results = parse_junit_xml(junit_samples::k_pytest_xunit2, "out.xml");
  EXPECT_EQ(find_result(results, "suites/integration/test_pg.py::test_fail").duration,
            Milliseconds{1});
  EXPECT_EQ(find_result(results, "suites/integration/test_pg.py::test_pass").duration,
            Milliseconds{0});
}

TEST(JunitXmlReadTest, ReadsXunit1LikeXunit2)
{
  const auto xunit1 = parse_junit_xml(junit_samples::k_pytest_xunit1, "out1.xml");
  const auto xunit2 = parse_junit_xml(junit_samples::k_pytest_xunit2, "out2.xml");
  EXPECT_EQ(ids_of(xunit1), ids_of(xunit2));
  ASSERT_EQ(xunit1.size(), xunit2.size());
  for (std::size_t i = 0; i < xunit1.size(); ++i) {
    EXPECT_EQ(xunit1[i].outcome, xunit2[i].outcome) << xunit1[i].id;
    EXPECT_EQ(xunit1[i].message, xunit2[i].message) << xunit1[i].id;
  }
}

TEST(JunitXmlReadTest, TakesTheModuleFromXunit1sFileAttributeWhenTheNameIsNotTestStar)
{
  // A project with python_files = check_*.py: the classname alone does not say where the module
  // ends, xunit1's file= does.
  const auto results = parse_junit_xml(
    R"xml(<testsuites><testsuite name="pytest">
      <testcase classname="suites.check_db.TestPool" name="test_a" file="suites/check_db.py"
                line="3" time="0.5"/>
      <testcase classname="suites.check_db" name="test_b" file="suites/check_db.py" time="0.1"/>
    </testsuite></testsuites>)xml",
    "out.xml");
  EXPECT_EQ(ids_of(results), (std::vector<std::string>{"suites/check_db.py::TestPool::test_a",
                                                       "suites/check_db.py::test_b"}));
}

TEST(JunitXmlReadTest, MergesAFailureAndATeardownErrorOfOneTestIntoOneFailedResult)
{
  const auto results = parse_junit_xml(junit_samples::k_pytest_teardown_errors, "out.xml");
  const std::string module = "suites/integration/test_more.py::";
  EXPECT_EQ(ids_of(results), (std::vector<std::string>{
                               module + "test_pass_then_teardown_error",
                               module + "test_fail_then_teardown_error",
                               module + "test_strict_xpass",
                               module + "TestOuter::TestInner::test_z",
                             }));
  const TestResult& both = find_result(results, module + "test_fail_then_teardown_error");
  EXPECT_EQ(both.outcome, Outcome::k_failed);
  EXPECT_EQ(both.message, "AssertionError: body failed assert False");
  EXPECT_NE(both.details.find("RuntimeError: teardown exploded"), std::string::npos);
  EXPECT_EQ(find_result(results, module + "test_pass_then_teardown_error").outcome,
            Outcome::k_error);
  // A strict xpass is a failure for pytest, and so for us.
  const TestResult& strict = find_result(results, module + "test_strict_xpass");
  EXPECT_EQ(strict.outcome, Outcome::k_failed);
  EXPECT_EQ(strict.message, "[XPASS(strict)] strict one");
}

TEST(JunitXmlReadTest, NamesAModuleThatFailedToImportByItsPath)
{
  const auto results = parse_junit_xml(junit_samples::k_pytest_collection_error, "out.xml");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].id, "suites/integration/test_broken.py");
  EXPECT_EQ(results[0].outcome, Outcome::k_error);
  EXPECT_EQ(results[0].message, "collection failure");
  EXPECT_NE(results[0].details.find("No module named 'nonexistent_module_xyz'"),
            std::string::npos);
}

TEST(JunitXmlReadTest, UsesSuiteDotTestIdsForGoogleTest)
{
  const auto results = parse_junit_xml(junit_samples::k_gtest, "gtest.xml");
  EXPECT_EQ(ids_of(results), (std::vector<std::string>{
                               "MathTest.Adds",
                               "MathTest.Fails",
                               "MathTest.Skips",
                               "MathTest.DISABLED_Off",
                               "Nums/P.Even/0",
                               "Nums/P.Even/1",
                             }));
  EXPECT_EQ(results[0].outcome, Outcome::k_passed);
  EXPECT_EQ(results[1].outcome, Outcome::k_failed);
  EXPECT_EQ(results[1].message,
            "t.cpp:3 Expected equality of these values: 3 1 + 1 Which is: 2 sum & <stuff>");
  EXPECT_NE(results[1].details.find("    Which is: 2\nsum & <stuff>"), std::string::npos);
  EXPECT_EQ(results[2].outcome, Outcome::k_skipped);
  EXPECT_EQ(results[2].message, "t.cpp:4 not here");
  EXPECT_EQ(results[3].outcome, Outcome::k_skipped);
  EXPECT_EQ(results[3].message, "disabled");
  EXPECT_EQ(results[4].outcome, Outcome::k_passed);
  EXPECT_EQ(results[5].outcome, Outcome::k_failed);
}

TEST(JunitXmlReadTest, ReadsCtestsBareTestsuiteWithTheTestNameAsId)
{
  const auto results = parse_junit_xml(junit_samples::k_ctest, "ctest.xml");
  EXPECT_EQ(ids_of(results), (std::vector<std::string>{"smoke", "broken", "skipper"}));
  EXPECT_EQ(results[0].outcome, Outcome::k_passed);
  EXPECT_EQ(results[0].duration, Milliseconds{3});
  EXPECT_EQ(results[1].outcome, Outcome::k_failed);
  EXPECT_EQ(results[2].outcome, Outcome::k_skipped);
  EXPECT_EQ(results[2].message, "SKIP_RETURN_CODE=77");
}

TEST(JunitXmlReadTest, RejectsMalformedXmlNamingTheOriginLineAndProblem)
{
  try {
    parse_junit_xml("<testsuites>\n<testsuite>\n<testcase name='a'>\n</testsuite>", "shard3.xml");
    FAIL() << "expected InternalError";
  } catch (const InternalError& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind("shard3.xml:4: not well-formed JUnit XML: ", 0), 0u) << message;
    EXPECT_NE(message.find("Start-end tags mismatch"), std::string::npos) << message;
  }
}

TEST(JunitXmlReadTest, RejectsXmlThatIsNotAJunitReport)
{
  EXPECT_THROW(parse_junit_xml("<html><body/></html>", "page.html"), InternalError);
  EXPECT_THROW(parse_junit_xml("", "empty.xml"), InternalError);
}

TEST(JunitXmlReadTest, RejectsAMissingFileNamingIt)
{
  const TempDir directory;
  const auto missing = directory.path() / "nope.xml";
  try {
    read_junit_xml(missing);
    FAIL() << "expected InternalError";
  } catch (const InternalError& error) {
    EXPECT_NE(std::string(error.what()).find(missing.string()), std::string::npos);
  }
}

TEST(JunitXmlReadTest, NamesTheFileWhenItsContentIsMalformed)
{
  const TempDir directory;
  const auto file = directory.path() / "broken.xml";
  write_text(file, "<testsuites><testsuite>");
  try {
    read_junit_xml(file);
    FAIL() << "expected InternalError";
  } catch (const InternalError& error) {
    EXPECT_EQ(std::string(error.what()).rfind(file.string() + ":1: not well-formed", 0), 0u)
      << error.what();
  }
}

TestResult make_result(std::string id, std::string classname, std::string name, Outcome outcome)
{
  TestResult result;
  result.id = std::move(id);
  result.classname = std::move(classname);
  result.name = std::move(name);
  result.outcome = outcome;
  return result;
}

std::vector<TestResult> every_kind_of_result()
{
  std::vector<TestResult> results;
  results.push_back(make_result("suites/a/test_x.py::test_ok", "suites.a.test_x", "test_ok",
                                Outcome::k_passed));
  results.back().duration = Milliseconds{1234};
  results.back().shard = 2;
  results.back().engine = "build-2";  // a shard on another engine (docs/scale-out.md)
  results.push_back(make_result("suites/a/test_x.py::TestC::test_bad[1-a]", "suites.a.test_x.TestC",
                                "test_bad[1-a]", Outcome::k_failed));
  results.back().message = "assert 1 == 2 <&> \"quoted\"";
  results.back().details = "E   assert 1 == 2\n\x1b[31mred\x1b[0m";
  results.back().shard = 1;
  results.back().attempts = 3;
  results.push_back(make_result("suites/a/test_x.py::test_flaky", "suites.a.test_x", "test_flaky",
                                Outcome::k_passed));
  results.back().flaky = true;
  results.back().attempts = 2;
  results.push_back(make_result("MathTest.Adds", "MathTest", "Adds", Outcome::k_error));
  results.back().message = "crashed";
  results.push_back(make_result("suites/a/test_x.py::test_skip", "suites.a.test_x", "test_skip",
                                Outcome::k_skipped));
  results.back().message = "not today";
  results.push_back(make_result("suites/a/test_x.py::test_xf", "suites.a.test_x", "test_xf",
                                Outcome::k_xfailed));
  results.back().message = "known bug";
  results.push_back(make_result("suites/a/test_x.py::test_xp", "suites.a.test_x", "test_xp",
                                Outcome::k_xpassed));
  results.back().duration = Milliseconds{7};
  // A plain command: an id only.
  results.push_back(make_result("migrations-apply", "", "", Outcome::k_passed));
  return results;
}

TEST(JunitXmlWriteTest, RoundTripKeepsOutcomesDurationsMessagesShardsAndAttempts)
{
  const TempDir directory;
  const auto file = directory.path() / "reports" / "junit.xml";
  const std::vector<TestResult> written = every_kind_of_result();
  write_junit_xml(file, written, Milliseconds{5000});
  const std::vector<TestResult> read = read_junit_xml(file);

  ASSERT_EQ(read.size(), written.size());
  for (std::size_t i = 0; i < written.size(); ++i) {
    SCOPED_TRACE(written[i].id);
    EXPECT_EQ(read[i].id, written[i].id);
    EXPECT_EQ(read[i].outcome, written[i].outcome);
    EXPECT_EQ(read[i].duration, written[i].duration);
    EXPECT_EQ(read[i].message, written[i].message);
    EXPECT_EQ(read[i].shard, written[i].shard);
    EXPECT_EQ(read[i].attempts, written[i].attempts);
    EXPECT_EQ(read[i].flaky, written[i].flaky);
    EXPECT_EQ(read[i].engine, written[i].engine);
  }
  EXPECT_EQ(read[1].classname, "suites.a.test_x.TestC");
  EXPECT_EQ(read[1].name, "test_bad[1-a]");
}

TEST(JunitXmlWriteTest, WritesPytestsXunit2SuiteCounts)
{
  const TempDir directory;
  const auto file = directory.path() / "junit.xml";
  write_junit_xml(file, every_kind_of_result(), Milliseconds{5432});
  const std::string xml = read_text(file);
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>", 0), 0u) << xml;
  // One error, one failure, skipped + xfailed as pytest counts them.
  EXPECT_NE(xml.find("<testsuite name=\"orchestrate\" errors=\"1\" failures=\"1\" skipped=\"2\" "
                     "tests=\"8\" time=\"5.432\">"),
            std::string::npos)
    << xml;
  EXPECT_NE(xml.find("<skipped type=\"pytest.xfail\" message=\"known bug\""), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"flaky\" value=\"true\" />"), std::string::npos);
  EXPECT_NE(xml.find("time=\"1.234\""), std::string::npos);
}

TEST(JunitXmlWriteTest, EscapesCharactersXmlCannotCarryLikePytest)
{
  const TempDir directory;
  const auto file = directory.path() / "junit.xml";
  write_junit_xml(file, every_kind_of_result(), Milliseconds{0});
  const std::string xml = read_text(file);
  EXPECT_EQ(xml.find('\x1b'), std::string::npos);
  EXPECT_NE(xml.find("#x1B[31mred#x1B[0m"), std::string::npos) << xml;
  EXPECT_NE(xml.find("message=\"assert 1 == 2 &lt;&amp;> &quot;quoted&quot;\""),
            std::string::npos)
    << xml;
}

TEST(JunitXmlWriteTest, ThrowsInternalErrorWhenTheFileCannotBeWritten)
{
  const TempDir directory;
  // A directory where the file should be.
  const auto file = directory.path() / "taken";
  std::filesystem::create_directories(file);
  EXPECT_THROW(write_junit_xml(file, every_kind_of_result(), Milliseconds{0}), InternalError);
}

}  // namespace
}  // namespace orchestrate
