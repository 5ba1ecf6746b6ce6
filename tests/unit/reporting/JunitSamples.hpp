#pragma once

// JUnit XML written by the real tools on Debian 12, byte for byte (only the temp dir renamed):
// pytest 7.2.1 (`--junitxml`, junit_family xunit1 / xunit2), GoogleTest 1.12.1
// (`--gtest_output=xml`) and ctest 3.25 (`--output-junit`). Adjacent raw literals concatenate, so
// long lines are cut into pieces without changing the text.

namespace orchestrate::junit_samples {

// suites/integration/test_pg.py, xunit2: pass, fail, skip, xfail, xpass, error in a fixture,
// two parametrized cases (one fails), a test in a class; one more test deselected with -k.
inline constexpr const char* k_pytest_xunit2 =
  R"xml(<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1")xml"
  R"xml( failures="2" skipped="2" tests="9" time="0.033")xml"
  R"xml( timestamp="2026-11-26T03:06:24.291554" hostname="vm"><testcase)xml"
  R"xml( classname="suites.integration.test_pg" name="test_pass" time="0.000" /><testcase)xml"
  R"xml( classname="suites.integration.test_pg" name="test_fail" time="0.001"><failure)xml"
  R"xml( message="AssertionError: numbers differ&#10;assert 1 == 2">def test_fail():
&gt;       assert 1 == 2, "numbers differ"
E       AssertionError: numbers differ
E       assert 1 == 2

suites/integration/test_pg.py:11: AssertionError</failure></testcase><testcase)xml"
  R"xml( classname="suites.integration.test_pg" name="test_skip" time="0.000"><skipped)xml"
  R"xml( type="pytest.skip" message="not today">)xml"
  R"xml(/home/dev/project/suites/integration/test_pg.py:14: not today</skipped></testcase>)xml"
  R"xml(<testcase classname="suites.integration.test_pg" name="test_xfail" time="0.000">)xml"
  R"xml(<skipped type="pytest.xfail" message="known bug" /></testcase><testcase)xml"
  R"xml( classname="suites.integration.test_pg" name="test_xpass" time="0.000" /><testcase)xml"
  R"xml( classname="suites.integration.test_pg" name="test_error" time="0.000"><error)xml"
  R"xml( message="failed on setup with &quot;RuntimeError: fixture exploded&quot;">)xml"
  R"xml(@pytest.fixture
    def broken():
&gt;       raise RuntimeError("fixture exploded")
E       RuntimeError: fixture exploded

suites/integration/test_pg.py:5: RuntimeError</error></testcase><testcase)xml"
  R"xml( classname="suites.integration.test_pg" name="test_param[1-a]" time="0.000" />)xml"
  R"xml(<testcase classname="suites.integration.test_pg" name="test_param[2-b]" time="0.000">)xml"
  R"xml(<failure message="assert 2 == 1">n = 2, s = 'b'

    @pytest.mark.parametrize("n,s", [(1, "a"), (2, "b")])
    def test_param(n, s):
&gt;       assert n == 1
E       assert 2 == 1

suites/integration/test_pg.py:29: AssertionError</failure></testcase><testcase)xml"
  R"xml( classname="suites.integration.test_pg.TestCls" name="test_y" time="0.000" />)xml"
  R"xml(</testsuite></testsuites>)xml";

// The same run with junit_family=xunit1, which adds file= and line=.
inline constexpr const char* k_pytest_xunit1 =
  R"xml(<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1")xml"
  R"xml( failures="2" skipped="2" tests="9" time="0.031")xml"
  R"xml( timestamp="2026-11-26T03:06:24.503990" hostname="vm"><testcase)xml"
  R"xml( classname="suites.integration.test_pg" name="test_pass")xml"
  R"xml( file="suites/integration/test_pg.py" line="6" time="0.001" /><testcase)xml"
  R"xml( classname="suites.integration.test_pg" name="test_fail")xml"
  R"xml( file="suites/integration/test_pg.py" line="9" time="0.000"><failure)xml"
  R"xml( message="AssertionError: numbers differ&#10;assert 1 == 2">def test_fail():
&gt;       assert 1 == 2, "numbers differ"
E       AssertionError: numbers differ
E       assert 1 == 2

suites/integration/test_pg.py:11: AssertionError</failure></testcase><testcase)xml"
  R"xml( classname="suites.integration.test_pg" name="test_skip")xml"
  R"xml( file="suites/integration/test_pg.py" line="12" time="0.000"><skipped)xml"
  R"xml( type="pytest.skip" message="not today">)xml"
  R"xml(/home/dev/project/suites/integration/test_pg.py:14: not today</skipped></testcase>)xml"
  R"xml(<testcase classname="suites.integration.test_pg" name="test_xfail")xml"
  R"xml( file="suites/integration/test_pg.py" line="15" time="0.000"><skipped)xml"
  R"xml( type="pytest.xfail" message="known bug" /></testcase><testcase)xml"
  R"xml( classname="suites.integration.test_pg" name="test_xpass")xml"
  R"xml( file="suites/integration/test_pg.py" line="19" time="0.000" /><testcase)xml"
  R"xml( classname="suites.integration.test_pg" name="test_error")xml"
  R"xml( file="suites/integration/test_pg.py" line="23" time="0.000"><error message="failed)xml"
  R"xml( on setup with &quot;RuntimeError: fixture exploded&quot;">@pytest.fixture
    def broken():
&gt;       raise RuntimeError("fixture exploded")
E       RuntimeError: fixture exploded

suites/integration/test_pg.py:5: RuntimeError</error></testcase><testcase)xml"
  R"xml( classname="suites.integration.test_pg" name="test_param[1-a]")xml"
  R"xml( file="suites/integration/test_pg.py" line="26" time="0.000" /><testcase)xml"
  R"xml( classname="suites.integration.test_pg" name="test_param[2-b]")xml"
  R"xml( file="suites/integration/test_pg.py" line="26" time="0.000"><failure message="assert)xml"
  R"xml( 2 == 1">n = 2, s = 'b'

    @pytest.mark.parametrize("n,s", [(1, "a"), (2, "b")])
    def test_param(n, s):
&gt;       assert n == 1
E       assert 2 == 1

suites/integration/test_pg.py:29: AssertionError</failure></testcase><testcase)xml"
  R"xml( classname="suites.integration.test_pg.TestCls" name="test_y")xml"
  R"xml( file="suites/integration/test_pg.py" line="31" time="0.000" /></testsuite>)xml"
  R"xml(</testsuites>)xml";

// suites/integration/test_more.py: a teardown error after a pass, a failure followed by a
// teardown error (two testcases), a strict xpass, nested classes.
inline constexpr const char* k_pytest_teardown_errors =
  R"xml(<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="2")xml"
  R"xml( failures="2" skipped="0" tests="5" time="0.026")xml"
  R"xml( timestamp="2026-11-26T03:06:30.857374" hostname="vm"><testcase)xml"
  R"xml( classname="suites.integration.test_more" name="test_pass_then_teardown_error")xml"
  R"xml( time="0.001"><error message="failed on teardown with &quot;RuntimeError: teardown)xml"
  R"xml( exploded&quot;">@pytest.fixture
    def bad_teardown():
        yield
&gt;       raise RuntimeError("teardown exploded")
E       RuntimeError: teardown exploded

suites/integration/test_more.py:6: RuntimeError</error></testcase><testcase)xml"
  R"xml( classname="suites.integration.test_more" name="test_fail_then_teardown_error")xml"
  R"xml( time="0.000"><failure message="AssertionError: body failed&#10;assert False">)xml"
  R"xml(bad_teardown = None

    def test_fail_then_teardown_error(bad_teardown):
&gt;       assert False, "body failed"
E       AssertionError: body failed
E       assert False

suites/integration/test_more.py:12: AssertionError</failure></testcase><testcase)xml"
  R"xml( classname="suites.integration.test_more" name="test_fail_then_teardown_error")xml"
  R"xml( time="0.000"><error message="failed on teardown with &quot;RuntimeError: teardown)xml"
  R"xml( exploded&quot;">@pytest.fixture
    def bad_teardown():
        yield
&gt;       raise RuntimeError("teardown exploded")
E       RuntimeError: teardown exploded

suites/integration/test_more.py:6: RuntimeError</error></testcase><testcase)xml"
  R"xml( classname="suites.integration.test_more" name="test_strict_xpass" time="0.000">)xml"
  R"xml(<failure message="[XPASS(strict)] strict one">[XPASS(strict)] strict one</failure>)xml"
  R"xml(</testcase><testcase classname="suites.integration.test_more.TestOuter.TestInner")xml"
  R"xml( name="test_z" time="0.000" /></testsuite></testsuites>)xml";

// suites/integration/test_broken.py fails to import.
inline constexpr const char* k_pytest_collection_error =
  R"xml(<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1")xml"
  R"xml( failures="0" skipped="0" tests="1" time="0.043")xml"
  R"xml( timestamp="2026-11-26T03:06:30.630755" hostname="vm"><testcase classname="")xml"
  R"xml( name="suites.integration.test_broken" time="0.000"><error message="collection)xml"
  R"xml( failure">ImportError while importing test module)xml"
  R"xml( '/home/dev/project/suites/integration/test_broken.py'.
Hint: make sure your test modules/packages have valid Python names.
Traceback:
/usr/lib/python3.11/importlib/__init__.py:126: in import_module
    return _bootstrap._gcd_import(name[level:], package, level)
suites/integration/test_broken.py:1: in &lt;module&gt;
    import nonexistent_module_xyz
E   ModuleNotFoundError: No module named 'nonexistent_module_xyz'</error></testcase>)xml"
  R"xml(</testsuite></testsuites>)xml";

// GoogleTest: pass, fail, GTEST_SKIP, DISABLED_, a value-parametrized suite.
inline constexpr const char* k_gtest =
  R"xml(<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="6" failures="2" disabled="1" errors="0" time="0")xml"
  R"xml( timestamp="2026-11-26T03:06:41.846" name="AllTests">
  <testsuite name="MathTest" tests="4" failures="1" disabled="1" skipped="1" errors="0")xml"
  R"xml( time="0" timestamp="2026-11-26T03:06:41.846">
    <testcase name="Adds" file="t.cpp" line="2" status="run" result="completed" time="0")xml"
  R"xml( timestamp="2026-11-26T03:06:41.846" classname="MathTest" />
    <testcase name="Fails" file="t.cpp" line="3" status="run" result="completed" time="0")xml"
  R"xml( timestamp="2026-11-26T03:06:41.846" classname="MathTest">
      <failure message="t.cpp:3&#x0A;Expected equality of these values:&#x0A;  3&#x0A;  1 +)xml"
  R"xml( 1&#x0A;    Which is: 2&#x0A;sum &amp; &lt;stuff&gt;" type=""><![CDATA[t.cpp:3
Expected equality of these values:
  3
  1 + 1
    Which is: 2
sum & <stuff>]]></failure>
    </testcase>
    <testcase name="Skips" file="t.cpp" line="4" status="run" result="skipped" time="0")xml"
  R"xml( timestamp="2026-11-26T03:06:41.846" classname="MathTest">
      <skipped message="t.cpp:4&#x0A;not here"><![CDATA[t.cpp:4
not here]]></skipped>
    </testcase>
    <testcase name="DISABLED_Off" file="t.cpp" line="5" status="notrun" result="suppressed")xml"
  R"xml( time="0" timestamp="1970-01-01T00:00:00.000" classname="MathTest" />
  </testsuite>
  <testsuite name="Nums/P" tests="2" failures="1" disabled="0" skipped="0" errors="0")xml"
  R"xml( time="0" timestamp="2026-11-26T03:06:41.846">
    <testcase name="Even/0" value_param="2" file="t.cpp" line="7" status="run")xml"
  R"xml( result="completed" time="0" timestamp="2026-11-26T03:06:41.846" classname="Nums/P")xml"
  R"xml( />
    <testcase name="Even/1" value_param="3" file="t.cpp" line="7" status="run")xml"
  R"xml( result="completed" time="0" timestamp="2026-11-26T03:06:41.846" classname="Nums/P">
      <failure message="t.cpp:7&#x0A;Expected equality of these values:&#x0A;  GetParam() %)xml"
  R"xml( 2&#x0A;    Which is: 1&#x0A;  0" type=""><![CDATA[t.cpp:7
Expected equality of these values:
  GetParam() % 2
    Which is: 1
  0]]></failure>
    </testcase>
  </testsuite>
</testsuites>
)xml";

// ctest: pass, fail, skip by SKIP_RETURN_CODE; a bare <testsuite> root.
inline constexpr const char* k_ctest =
  R"xml(<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="(empty)"
	tests="3"
	failures="1"
	disabled="0"
	skipped="1"
	hostname=""
	time="0"
	timestamp="2026-11-26T03:09:14"
	>
	<testcase name="smoke" classname="smoke" time="0.00314259" status="run">
		<system-out></system-out>
	</testcase>
	<testcase name="broken" classname="broken" time="0.00329953" status="fail">
		<failure message=""/>
		<system-out></system-out>
	</testcase>
	<testcase name="skipper" classname="skipper" time="0.00204255" status="notrun">
		<skipped message="SKIP_RETURN_CODE=77"/>
		<system-out></system-out>
	</testcase>
</testsuite>
)xml";

}  // namespace orchestrate::junit_samples
