#pragma once

#include <cstdlib>
#include <optional>
#include <string>

namespace orchestrate {

// Sets or unsets an environment variable for one scope, then restores it.
class EnvironmentOverride
{
public:
  EnvironmentOverride(std::string name, const char* value) : m_name(std::move(name))
  {
    if (const char* old = std::getenv(m_name.c_str())) {
      m_old = old;
    }
    if (value != nullptr) {
      ::setenv(m_name.c_str(), value, 1);
    } else {
      ::unsetenv(m_name.c_str());
    }
  }

  ~EnvironmentOverride()
  {
    if (m_old) {
      ::setenv(m_name.c_str(), m_old->c_str(), 1);
    } else {
      ::unsetenv(m_name.c_str());
    }
  }

  EnvironmentOverride(const EnvironmentOverride&) = delete;
  EnvironmentOverride& operator=(const EnvironmentOverride&) = delete;

private:
  std::string m_name;
  std::optional<std::string> m_old;
};

}  // namespace orchestrate
