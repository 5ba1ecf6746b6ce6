#include "cli/CliSupport.hpp"

#include "core/Error.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <iostream>
#include <spdlog/spdlog.h>

namespace orchestrate::cli {

std::optional<boost::program_options::variables_map> parse_command_line(
  const std::vector<std::string>& arguments, const std::string& usage,
  const boost::program_options::options_description& described,
  const boost::program_options::options_description& hidden,
  const boost::program_options::positional_options_description& positional)
{
  namespace po = boost::program_options;
  po::options_description all;
  all.add(described).add(hidden);
  po::variables_map values;
  po::store(po::command_line_parser(arguments).options(all).positional(positional).run(), values);
  po::notify(values);
  if (values.count("help") != 0) {
    if (!usage.empty()) {
      std::cout << usage << "\n";
    }
    std::cout << described << "\n";
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

std::optional<Milliseconds> duration_option(const boost::program_options::variables_map& values,
                                            const char* name)
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

std::optional<std::uint64_t> byte_size_option(const boost::program_options::variables_map& values,
                                              const char* name)
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

}  // namespace orchestrate::cli
