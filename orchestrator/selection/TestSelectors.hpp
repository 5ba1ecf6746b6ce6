#pragma once

#include "config/ProjectConfig.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace orchestrate {

// A positional argument of `orchestrate run` that narrows the suite, as pytest's are:
// a path (`suites/integration`, `suites/integration/test_pg.py`), a node id
// (`suites/integration/test_pg.py::TestOrders::test_insert`), or for gtest and command suites a
// test name or prefix (`RedisTest.Ping`, `RedisTest.`).
struct TestSelector
{
  std::string text;       // as the user typed it, for messages
  std::string id;         // project-root-relative: what collected ids are compared with
  bool is_directory = false;
};

// Turns what the user typed into selectors. A text whose part before the first `::` names an
// existing file or folder (relative to `working_directory`) is a path: it is made relative to
// `project_root`, so a user inside `suites/` may type `integration/test_pg.py`. Anything else is
// kept as written (a gtest or command test name). Throws UsageError when a path lies outside the
// project.
std::vector<TestSelector> resolve_test_selectors(const std::vector<std::string>& texts,
                                                 const std::filesystem::path& working_directory,
                                                 const std::filesystem::path& project_root);

// True when `selector` selects collected test `id`: the same id, a test inside it (`id` starts
// with the selector followed by `::`, or by `[` for a parametrized test), or, for a folder, a
// test below it. `RedisTest.` (ending in a separator) selects every test it begins.
bool selector_matches(const TestSelector& selector, const std::string& id);

// The collected ids that at least one selector selects, in collection order; all of them when
// there is no selector. Throws UsageError "not found: <text>" (as pytest does) naming each
// selector that selects nothing.
std::vector<std::string> apply_test_selectors(const std::vector<std::string>& collected,
                                              const std::vector<TestSelector>& selectors);

// The suite a run of `selectors` without --suite means: the one suite of the project whose
// `paths` contain every selector's path (a selector equal to or below one of its paths). Throws
// UsageError when no suite or more than one does, naming them.
std::string suite_for_selectors(const ProjectConfig& project,
                                const std::vector<TestSelector>& selectors);

}  // namespace orchestrate
