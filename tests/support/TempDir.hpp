#pragma once

#include <filesystem>

namespace orchestrate {

// A fresh directory under the system temp dir (orchestrate-test-XXXXXX), owned by this object:
// the destructor removes it with everything in it. The constructor throws std::runtime_error when
// it cannot be made.
class TempDir
{
public:
  TempDir();
  ~TempDir();

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const
  {
    return m_path;
  }

private:
  std::filesystem::path m_path;
};

}  // namespace orchestrate
