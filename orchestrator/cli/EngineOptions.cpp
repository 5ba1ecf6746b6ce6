#include "cli/EngineOptions.hpp"

#include "core/Error.hpp"

#include <algorithm>

namespace po = boost::program_options;

namespace orchestrate::cli {

void describe_engine_option(po::options_description& described, const char* what)
{
  described.add_options()("engine", po::value<std::vector<std::string>>()->composing(), what);
}

std::vector<std::string> engine_names_option(const po::variables_map& values)
{
  std::vector<std::string> names;
  if (values.count("engine") == 0) {
    return names;
  }
  for (const auto& name : values["engine"].as<std::vector<std::string>>()) {
    if (name.empty()) {
      throw UsageError("--engine: expected the name of an engine of orchestrate.yaml's `engines`");
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  }
  return names;
}

}  // namespace orchestrate::cli
