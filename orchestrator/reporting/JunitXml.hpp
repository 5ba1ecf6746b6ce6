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
// otherwise `classname.name`. Details: xunit1's `file` attribute, when present, says exactly where
// the module ends (for python_files other than test_*.py / *_test.py); a class is a capitalised
// component after the module; a module that failed to import (classname "") is its path; ctest's
// classname == name gives just the name. A testcase that appears twice (pytest: a failure, then a
// teardown error) is one result with the worse outcome and both texts. pytest writes a non-strict
// xpass as a plain pass, so it reads as passed. The properties write_junit_xml adds are read back.
// Throws InternalError naming the file when it is missing or not well-formed XML.
std::vector<TestResult> read_junit_xml(const std::filesystem::path& file);

// Parses JUnit XML held in a string (same rules as above); `origin` names it in error messages.
std::vector<TestResult> parse_junit_xml(const std::string& xml, const std::string& origin);

// Writes one merged report in pytest's xunit2 shape: <testsuites><testsuite name="orchestrate"
// tests= failures= errors= skipped= time=> with one <testcase> per result carrying <properties> for
// shard and attempts, and flaky tests marked with a `flaky` property. Also an `outcome` property
// for xpassed (JUnit has no element for it) and an `id` property when the id cannot be rebuilt from
// classname and name, so that read_junit_xml gives back what was written. Creates the parent
// directory. Throws InternalError when the file cannot be written.
void write_junit_xml(const std::filesystem::path& file, const std::vector<TestResult>& results,
                     Milliseconds total_time);

}  // namespace orchestrate
