#include "cli/CliSupport.hpp"

#include "cli/OptionSources.hpp"
#include "config/ProjectDiscovery.hpp"
#include "core/Error.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <iostream>
#include <spdlog/spdlog.h>

namespace orchestrate::cli {

namespace {

namespace po = boost::program_options;

// Describe mode (describe_command): where parse_command_line hands the table over, and what it
// throws to stop the command there. Not an std::exception, so no command's handler takes it.
thread_local CommandDescription* t_describing = nullptr;
struct DescribedOnly
{
};

// --version, for the commands that do not describe it themselves.
const po::options_description& version_option()
{
  static const po::options_description options = [] {
    po::options_description described;
    described.add_options()("version", "print the version and exit");
    return described;
  }();
  return options;
}

bool describes_version(const po::options_description& described)
{
  return described.find_nothrow("version", false) != nullptr;
}

// Everything a command accepts: its described and hidden options, plus --version.
po::options_description all_options(const po::options_description& described,
                                    const po::options_description& hidden)
{
  po::options_description all;
  all.add(described).add(hidden);
  if (!describes_version(described)) {
    all.add(version_option());
  }
  return all;
}

// In describe mode, hands the table over and stops the command.
void hand_over_description(const std::string& usage, const po::options_description& described)
{
  if (t_describing == nullptr) {
    return;
  }
  t_describing->usage = usage;
  t_describing->options = described.options();
  if (!describes_version(described)) {
    for (const auto& option : version_option().options()) {
      t_describing->options.push_back(option);
    }
  }
  throw DescribedOnly{};
}

// --help and --version: prints and returns true when the command should stop there.
bool answered_help_or_version(const po::variables_map& values, const std::string& usage,
                              const po::options_description& described)
{
  if (values.count("help") != 0) {
    if (!usage.empty()) {
      std::cout << usage << "\n";
    }
    std::cout << described;
    if (!describes_version(described)) {
      std::cout << version_option();
    }
    std::cout << "\n";
    return true;
  }
  if (values.count("version") != 0) {
    std::cout << "orchestrate " << ORCHESTRATE_VERSION << "\n";
    return true;
  }
  return false;
}

}  // namespace

std::optional<po::variables_map> parse_command_line(
  const std::vector<std::string>& arguments, const std::string& usage,
  const po::options_description& described, const po::options_description& hidden,
  const po::positional_options_description& positional)
{
  hand_over_description(usage, described);
  const auto all = all_options(described, hidden);
  po::variables_map values;
  po::store(po::command_line_parser(arguments).options(all).positional(positional).run(), values);
  po::notify(values);
  if (answered_help_or_version(values, usage, described)) {
    return std::nullopt;
  }
  return values;
}

std::optional<po::variables_map> parse_command_line_and_environment(
  const std::vector<std::string>& arguments, const std::string& usage,
  const po::options_description& described, const po::options_description& hidden,
  const po::positional_options_description& positional, const VariableLookup& lookup)
{
  hand_over_description(usage, described);
  const auto all = all_options(described, hidden);
  po::variables_map values;
  // The command line is stored first: Program_options keeps the first value stored.
  po::store(po::command_line_parser(arguments).options(all).positional(positional).run(), values);
  store_environment_options(values, described, all, positional, lookup);
  po::notify(values);
  if (answered_help_or_version(values, usage, described)) {
    return std::nullopt;
  }
  return values;
}

void configure_logging(int verbosity)
{
  if (spdlog::get("orchestrate") == nullptr) {
    spdlog::set_default_logger(spdlog::stderr_color_mt("orchestrate"));
  }
  if (verbosity > 0) {
    spdlog::set_level(spdlog::level::debug);
    spdlog::set_pattern("%H:%M:%S.%e [pid %P] %^%l%$ %v");
  } else {
    spdlog::set_level(spdlog::level::warn);
    spdlog::set_pattern("%^%l%$: %v");
  }
}

std::filesystem::path project_dir_option(const po::variables_map& values)
{
  if (values.count("project-dir") != 0 && !values["project-dir"].defaulted()) {
    const std::filesystem::path given = values["project-dir"].as<std::string>();
    spdlog::debug("configuration: {} (-C)", (given / "orchestrate.yaml").string());
    return given;
  }
  const auto here = std::filesystem::current_path();
  const auto found = find_project_root(here);
  if (!found) {
    throw UsageError("no orchestrate.yaml in " + here.string() +
                     " or any folder above it; run orchestrate inside a project or pass -C DIR");
  }
  spdlog::debug("configuration: {} (the nearest from {})", (*found / "orchestrate.yaml").string(),
                here.string());
  return *found;
}

std::optional<Milliseconds> duration_option(const po::variables_map& values, const char* name)
{
  if (values.count(name) == 0) {
    return std::nullopt;
  }
  const auto text = values[name].as<std::string>();
  auto parsed = parse_duration(text);
  if (!parsed && is_duration_out_of_range(text)) {
    throw UsageError(std::string("--") + name + ": '" + text + "' is out of range: at most " +
                     k_max_duration_text);
  }
  if (!parsed) {
    throw UsageError(std::string("--") + name + ": '" + text +
                     "' is not a duration; expected e.g. 30s, 500ms, 2m");
  }
  return parsed;
}

std::optional<std::uint64_t> byte_size_option(const po::variables_map& values, const char* name)
{
  if (values.count(name) == 0) {
    return std::nullopt;
  }
  const auto text = values[name].as<std::string>();
  auto parsed = parse_byte_size(text);
  if (!parsed && is_byte_size_out_of_range(text)) {
    throw UsageError(std::string("--") + name + ": '" + text + "' is out of range: at most " +
                     k_max_byte_size_text);
  }
  if (!parsed || *parsed == 0) {
    throw UsageError(std::string("--") + name + ": '" + text +
                     "' is not a size; expected e.g. 4GiB, 512MiB");
  }
  return parsed;
}

CommandDescription describe_command(
  const std::function<int(const std::vector<std::string>&)>& command)
{
  CommandDescription description;
  struct Describing
  {
    explicit Describing(CommandDescription& into) { t_describing = &into; }
    ~Describing() { t_describing = nullptr; }
  } describing(description);
  try {
    command({});
  } catch (const DescribedOnly&) {
  }
  return description;
}

}  // namespace orchestrate::cli
