#include "selection/TestSelectors.hpp"

#include "config/ConfigLoader.hpp"
#include "core/Error.hpp"

#include <algorithm>

namespace orchestrate {

namespace {

namespace fs = std::filesystem;

// "a/b.py::C::d" -> "a/b.py"; a plain path is its own file part.
std::string path_part(const std::string& id)
{
  return id.substr(0, id.find("::"));
}

bool starts_with(const std::string& text, const std::string& prefix)
{
  return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

// `path` equal to `folder` or below it, both root-relative and normalised.
bool is_within(const std::string& path, const std::string& folder)
{
  return folder == "." || path == folder || starts_with(path, folder + "/");
}

std::string normalised(const fs::path& path)
{
  auto text = path.lexically_normal().generic_string();
  while (text.size() > 1 && text.back() == '/') {
    text.pop_back();
  }
  return text;
}

}  // namespace

std::vector<TestSelector> resolve_test_selectors(const std::vector<std::string>& texts,
                                                 const fs::path& working_directory,
                                                 const fs::path& project_root)
{
  std::vector<TestSelector> selectors;
  for (const auto& text : texts) {
    TestSelector selector;
    selector.text = text;
    selector.id = text;
    const auto separator = text.find("::");
    const fs::path typed = text.substr(0, separator);
    const fs::path absolute = typed.is_absolute() ? typed : working_directory / typed;
    std::error_code error;
    if (!typed.empty() && fs::exists(absolute, error)) {
      const auto relative =
        normalised(fs::weakly_canonical(absolute).lexically_relative(fs::weakly_canonical(project_root)));
      if (relative.empty() || starts_with(relative, "..")) {
        throw UsageError("'" + text + "' is outside the project " + project_root.string());
      }
      selector.id = relative + (separator == std::string::npos ? "" : text.substr(separator));
      selector.is_directory = separator == std::string::npos && fs::is_directory(absolute, error);
    }
    selectors.push_back(std::move(selector));
  }
  return selectors;
}

bool selector_matches(const TestSelector& selector, const std::string& id)
{
  const auto& wanted = selector.id;
  if (id == wanted || starts_with(id, wanted + "::") || starts_with(id, wanted + "[")) {
    return true;
  }
  if (selector.is_directory) {
    return is_within(path_part(id), wanted);
  }
  // A gtest prefix such as `RedisTest.` or `Suite/`.
  const char last = wanted.empty() ? '\0' : wanted.back();
  return (last == '.' || last == '/') && starts_with(id, wanted);
}

std::vector<std::string> apply_test_selectors(const std::vector<std::string>& collected,
                                              const std::vector<TestSelector>& selectors)
{
  if (selectors.empty()) {
    return collected;
  }
  std::vector<std::string> selected;
  std::vector<bool> used(selectors.size(), false);
  for (const auto& id : collected) {
    bool keep = false;
    for (std::size_t i = 0; i < selectors.size(); ++i) {
      if (selector_matches(selectors[i], id)) {
        used[i] = true;
        keep = true;
      }
    }
    if (keep) {
      selected.push_back(id);
    }
  }
  std::string missing;
  for (std::size_t i = 0; i < selectors.size(); ++i) {
    if (!used[i]) {
      missing += (missing.empty() ? "" : ", ") + selectors[i].text;
    }
  }
  if (!missing.empty()) {
    throw UsageError("not found: " + missing + " (no collected test of the suite matches)");
  }
  return selected;
}

std::string suite_for_selectors(const ProjectConfig& project,
                                const std::vector<TestSelector>& selectors)
{
  std::vector<std::string> matching;
  for (const auto& name : list_suite_names(project)) {
    const auto suite = load_suite_config(project, name);
    const bool holds_all =
      !suite.paths.empty() &&
      std::all_of(selectors.begin(), selectors.end(), [&](const TestSelector& selector) {
        return std::any_of(suite.paths.begin(), suite.paths.end(), [&](const std::string& path) {
          return is_within(path_part(selector.id), normalised(path_part(path)));
        });
      });
    if (holds_all) {
      matching.push_back(name);
    }
  }
  std::string texts;
  for (const auto& selector : selectors) {
    texts += (texts.empty() ? "" : " ") + selector.text;
  }
  if (matching.size() == 1) {
    return matching.front();
  }
  if (matching.empty()) {
    throw UsageError("no suite's paths contain " + texts + "; name the suite with --suite");
  }
  std::string names;
  for (const auto& name : matching) {
    names += (names.empty() ? "" : ", ") + name;
  }
  throw UsageError("several suites' paths contain " + texts + " (" + names +
                   "); name one with --suite");
}

}  // namespace orchestrate
