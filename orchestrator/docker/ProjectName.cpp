#include "docker/ProjectName.hpp"

#include <cctype>
#include <cstdio>
#include <random>

namespace orchestrate {

std::string to_project_name_component(const std::string& text)
{
  std::string result;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) && byte < 0x80) {
      result.push_back(static_cast<char>(std::tolower(byte)));
    } else if (c == '_' || !result.empty()) {
      // Separators may not lead a name; other characters become '-'.
      if (!result.empty()) {
        result.push_back(c == '_' ? '_' : '-');
      }
    }
  }
  return result.empty() ? "x" : result;
}

bool is_valid_project_name(const std::string& name)
{
  if (name.empty()) {
    return false;
  }
  const auto first = static_cast<unsigned char>(name.front());
  if (!(std::islower(first) || std::isdigit(first))) {
    return false;
  }
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (!(std::islower(byte) || std::isdigit(byte) || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

std::string shard_project_name(const std::string& prefix, const std::string& environment,
                               const std::string& run_id, int shard)
{
  return to_project_name_component(prefix) + "-" + to_project_name_component(environment) + "-" +
         to_project_name_component(run_id) + "-s" + std::to_string(shard);
}

std::string environment_project_name(const std::string& prefix, const std::string& environment)
{
  return to_project_name_component(prefix) + "-" + to_project_name_component(environment);
}

std::string new_run_id()
{
  std::random_device device;
  std::uniform_int_distribution<unsigned> distribution(0, 0xffffffffu);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%08x", distribution(device));
  return buffer;
}

}  // namespace orchestrate
