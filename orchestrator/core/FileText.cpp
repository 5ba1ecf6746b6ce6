#include "core/FileText.hpp"

#include <fstream>
#include <sstream>

namespace orchestrate {

std::optional<std::string> read_file_text(const std::filesystem::path& file)
{
  std::ifstream stream(file, std::ios::binary);
  if (!stream) {
    return std::nullopt;
  }
  std::ostringstream content;
  content << stream.rdbuf();
  return content.str();
}

}  // namespace orchestrate
