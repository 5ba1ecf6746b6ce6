#include "config/ProjectDiscovery.hpp"

namespace orchestrate {

std::optional<std::filesystem::path> find_project_root(const std::filesystem::path& start)
{
  std::error_code error;
  auto folder = std::filesystem::absolute(start, error).lexically_normal();
  if (error) {
    return std::nullopt;
  }
  while (true) {
    if (std::filesystem::is_regular_file(folder / "orchestrate.yaml", error)) {
      return folder;
    }
    if (!folder.has_relative_path()) {
      return std::nullopt;  // the filesystem root
    }
    auto parent = folder.parent_path();
    if (parent == folder) {
      return std::nullopt;
    }
    folder = std::move(parent);
  }
}

}  // namespace orchestrate
