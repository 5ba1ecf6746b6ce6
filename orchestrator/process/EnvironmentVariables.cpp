#include "process/EnvironmentVariables.hpp"

#include <unistd.h>

namespace orchestrate {

std::map<std::string, std::string> current_environment()
{
  std::map<std::string, std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const auto equals = text.find('=');
    if (equals != std::string::npos) {
      variables.emplace(text.substr(0, equals), text.substr(equals + 1));
    }
  }
  return variables;
}

}  // namespace orchestrate
