#include "reporting/ReportFile.hpp"

#include "core/Error.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace orchestrate {

void write_report_file(const std::filesystem::path& file, const std::string& text,
                       const std::string& what)
{
  std::error_code ignored;  // a folder that cannot be made shows as the open failing below
  if (file.has_parent_path()) {
    std::filesystem::create_directories(file.parent_path(), ignored);
  }
  std::ofstream stream(file, std::ios::binary | std::ios::trunc);
  if (stream) {
    stream << text;
    stream.close();
  }
  if (!stream) {
    throw InternalError("cannot write " + what + " " + file.string() + ": " +
                        std::strerror(errno));
  }
}

}  // namespace orchestrate
