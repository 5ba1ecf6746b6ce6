// `orchestrate lint [FILES] [--explain]`: checks compose files against the lint rules.

#include "cli/CliSupport.hpp"
#include "cli/Commands.hpp"
#include "config/ConfigLoader.hpp"
#include "config/YamlFields.hpp"
#include "core/Error.hpp"
#include "policy/ComposeLint.hpp"
#include "policy/ProjectLintOptions.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <iostream>
#include <set>
#include <sstream>

namespace po = boost::program_options;

namespace orchestrate::cli {

namespace {

constexpr const char* k_usage = R"(usage: orchestrate lint [FILES...] [--env NAME] [--explain]

Checks compose files against the rules every test stack must follow before anything starts:
memory and CPU limits, sized tmpfs mounts, rotated logs, healthchecks for the services fixtures
wait on, no container_name, no fixed host ports, nothing privileged, no Docker socket mounts.
Without FILES it lints the compose files of an environment of orchestrate.yaml (test unless
--env says otherwise). FILES are linted as one set, merged in the given order as `docker compose
-f` merges them; relative ones are taken from the project folder (-C).

orchestrate.yaml's `policy` sets a rule to warn (printed, exit 0) or off (not checked).

exit codes: 0 no violations at level error, 4 violations (or a compose file that cannot be read)
)";

constexpr std::size_t k_text_width = 96;

// `text` as lines of at most k_text_width columns, each starting with `indent`.
std::string wrapped(const std::string& text, const std::string& indent)
{
  std::istringstream words(text);
  std::string result;
  std::string line;
  for (std::string word; words >> word;) {
    if (!line.empty() && indent.size() + line.size() + 1 + word.size() > k_text_width) {
      result += indent + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) {
    result += indent + line + "\n";
  }
  return result;
}

void print_rule(const LintRule& rule)
{
  std::cout << "  " << rule.name << ": " << rule.summary << "\n" << wrapped(rule.why, "      ");
}

// Every rule with its reason: first those in `violated`, under their own heading.
void print_explanations(const std::set<std::string>& violated)
{
  if (!violated.empty()) {
    std::cout << "\nwhy these rules:\n";
    for (const auto& rule : lint_rules()) {
      if (violated.count(rule.name) != 0) {
        print_rule(rule);
      }
    }
  }
  std::cout << (violated.empty() ? "\nthe rules:\n" : "\nthe other rules:\n");
  for (const auto& rule : lint_rules()) {
    if (violated.count(rule.name) == 0) {
      print_rule(rule);
    }
  }
}

// A path under the current folder relative to it, as users typed it; others unchanged.
std::filesystem::path display_path(const std::filesystem::path& file)
{
  std::error_code error;
  const auto relative = file.lexically_proximate(std::filesystem::current_path(error));
  if (error || relative.empty() || *relative.begin() == "..") {
    return file;
  }
  return relative;
}

std::string plural(std::size_t count, const std::string& noun)
{
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

}  // namespace

int lint_command(const std::vector<std::string>& arguments)
{
  po::options_description described("options");
  int verbose = 0;
  bool explain = false;
  described.add_options()
    ("help,h", "show this help")
    ("files", po::value<std::vector<std::string>>(), "compose files")
    ("env", po::value<std::string>()->default_value("test"),
     "environment of orchestrate.yaml whose compose files to lint, when no FILES are given")
    ("explain", po::bool_switch(&explain), "also print why each rule exists")
    ("project-dir,C", po::value<std::string>()->default_value("."),
     "folder holding orchestrate.yaml (without FILES: the nearest in this folder or above)")
    ("verbose,v", po::value<int>(&verbose)->zero_tokens()->implicit_value(1), "more output");
  po::positional_options_description positional;
  positional.add("files", -1);

  const auto parsed = parse_command_line(arguments, k_usage, described, {}, positional);
  if (!parsed) {
    return 0;
  }
  const auto& values = *parsed;
  configure_logging(verbose);

  const std::filesystem::path project_dir = values["project-dir"].as<std::string>();
  std::vector<std::filesystem::path> files;
  LintOptions options;
  if (values.count("files") != 0) {
    for (const auto& file : values["files"].as<std::vector<std::string>>()) {
      files.push_back(project_dir == "." ? std::filesystem::path(file) : project_dir / file);
    }
    // Files outside a project are linted with the default options.
    if (std::filesystem::exists(project_dir / "orchestrate.yaml")) {
      options = project_lint_options(load_project_config(project_dir));
      options.replaced_ports.clear();  // which environment the files are for is not known
    }
  } else {
    const auto project = load_project_config(project_dir_option(values));
    const auto env = values["env"].as<std::string>();
    const auto found = project.environments.find(env);
    if (found == project.environments.end()) {
      std::vector<std::string> names;
      for (const auto& [name, environment] : project.environments) {
        names.push_back(name);
      }
      throw UsageError("lint: no environment '" + env + "' in " + project.source_path.string() +
                       "; environments: " + join_names(names));
    }
    files = found->second.compose_files;
    options = project_lint_options(project);
    if (env != "test") {
      options.replaced_ports.clear();  // only test stacks get orchestrate's own ports
    }
  }

  const auto violations = lint_compose_files(files, options);
  std::set<std::string> violated;
  for (auto violation : violations) {
    violated.insert(violation.rule);
    violation.file = display_path(violation.file);
    std::cout << format_violation(violation) << "\n";
  }
  const auto checked = plural(files.size(), "compose file");
  const auto warnings = static_cast<std::size_t>(
    std::count_if(violations.begin(), violations.end(),
                  [](const LintViolation& violation) { return violation.level == RuleLevel::k_warn; }));
  if (violations.empty()) {
    std::cout << "lint: no violations in " << checked << "\n";
  } else {
    std::cout << "lint: " << plural(violations.size(), "violation") << " in " << checked
              << (warnings == 0 ? ""
                                : " (" + std::to_string(warnings) + " of them at level warn in "
                                                                    "orchestrate.yaml's policy)")
              << (explain ? "" : " (--explain says why each rule exists)") << "\n";
  }
  if (explain) {
    print_explanations(violated);
  }
  return to_int(has_errors(violations) ? ExitCode::k_usage_error : ExitCode::k_all_passed);
}

}  // namespace orchestrate::cli
