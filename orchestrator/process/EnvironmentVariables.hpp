#pragma once

#include <map>
#include <string>

namespace orchestrate {

// This process's environment variables, name -> value (a snapshot of `environ`).
std::map<std::string, std::string> current_environment();

}  // namespace orchestrate
