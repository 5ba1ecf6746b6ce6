#include "support/TempDir.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace orchestrate {

TempDir::TempDir()
{
  std::string pattern =
    (std::filesystem::temp_directory_path() / "orchestrate-test-XXXXXX").string();
  // mkdtemp makes the name unique and the directory in one step, so parallel tests cannot collide.
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create a temp dir from " + pattern + ": " +
                             std::strerror(errno));
  }
  m_path = pattern;
}

TempDir::~TempDir()
{
  std::error_code ignored;
  std::filesystem::remove_all(m_path, ignored);
}

}  // namespace orchestrate
