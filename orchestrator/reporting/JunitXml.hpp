#pragma once

#include "reporting/TestResult.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace orchestrate {

// Reads the per-test results of a JUnit XML file as written by pytest (xunit1 and xunit2),
// GoogleTest (--gtest_output=xml) or ctest. <testsuites> or a bare <testsuite> root; <failure>,
// <error> and <skipped> children map to outcomes; pytest's xfail shows as <skipped type=
// "pytest.xfail">. `id` is rebuilt as pytest's node id when the classname looks like a dotted module
// path (`suites.integration.test_pg` + `test_x` -> `suites/integration/test_pg.py::test_x`),
// otherwise `classname.name`.
// Throws InternalError naming the file when it is missing or not well-formed XML.
std::vector<TestResult> read_junit_xml(const std::filesystem::path& file);

// Parses JUnit XML held in a string (same rules as above); `origin` names it in error messages.
std::vector<TestResult> parse_junit_xml(const std::string& xml, const std::string& origin);

// Writes one merged report in pytest's xunit2 shape: <testsuites><testsuite name="orchestrate"
// tests= failures= errors= skipped= time=> with one <testcase> per result carrying <properties> for
// shard and attempts, and flaky tests marked with a `flaky` property. Throws InternalError when the
// file cannot be written.
void write_junit_xml(const std::filesystem::path& file, const std::vector<TestResult>& results,
                     Milliseconds total_time);

}  // namespace orchestrate
