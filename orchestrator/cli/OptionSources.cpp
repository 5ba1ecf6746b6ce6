#include "cli/OptionSources.hpp"

#include "core/Error.hpp"

#include <algorithm>
#include <cctype>

namespace po = boost::program_options;

namespace orchestrate::cli {

namespace {

constexpr const char* k_addopts = "ORCHESTRATE_ADDOPTS";

// split_unix treats either quote character as opening and closing a quoted part and drops an
// unterminated one silently; an odd number of unescaped quotes is that mistake.
bool has_unterminated_quote(const std::string& value)
{
  int quotes = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\') {
      ++i;
    } else if (value[i] == '\'' || value[i] == '"') {
      ++quotes;
    }
  }
  return quotes % 2 != 0;
}

std::string lowercase(std::string text)
{
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The arguments a variable's value stands for: `--name=value`, or for a switch `--name` or none.
std::vector<std::string> arguments_for(const po::option_description& option,
                                       const std::string& variable, const std::string& value)
{
  const std::string flag = "--" + option.long_name();
  if (option.semantic()->max_tokens() > 0) {
    return {flag + "=" + value};
  }
  const auto word = lowercase(value);
  if (word == "1" || word == "true" || word == "yes" || word == "on") {
    return {flag};
  }
  if (word.empty() || word == "0" || word == "false" || word == "no" || word == "off") {
    return {};
  }
  throw UsageError(variable + "='" + value + "': " + flag +
                   " is a switch; expected 1, true, yes, on or 0, false, no, off");
}

}  // namespace

std::string environment_variable_for(const po::option_description& option)
{
  std::string name = "ORCHESTRATE_";
  for (const char c : option.long_name()) {
    name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

std::vector<std::string> split_addopts(const std::string& value)
{
  if (has_unterminated_quote(value)) {
    throw UsageError(std::string(k_addopts) + "='" + value + "': a quote is not closed");
  }
  try {
    return po::split_unix(value);
  } catch (const std::exception& error) {
    throw UsageError(std::string(k_addopts) + "='" + value + "': " + error.what());
  }
}

void store_environment_options(po::variables_map& values, const po::options_description& described,
                               const po::options_description& all,
                               const po::positional_options_description& positional,
                               const VariableLookup& lookup)
{
  if (const auto addopts = lookup(k_addopts)) {
    try {
      po::store(po::command_line_parser(split_addopts(*addopts))
                  .options(all)
                  .positional(positional)
                  .run(),
                values);
    } catch (const po::error& error) {
      throw UsageError(std::string(k_addopts) + "='" + *addopts + "': " + error.what());
    }
  }
  for (const auto& option : described.options()) {
    const auto& name = option->long_name();
    if (name.empty() || name == "help" || name == "version") {
      continue;
    }
    const auto variable = environment_variable_for(*option);
    const auto value = lookup(variable);
    if (!value) {
      continue;
    }
    try {
      po::store(po::command_line_parser(arguments_for(*option, variable, *value)).options(all).run(),
                values);
    } catch (const po::error& error) {
      throw UsageError(variable + "='" + *value + "': " + error.what());
    }
  }
}

}  // namespace orchestrate::cli
