#include "run/OutputPaths.hpp"

#include "core/Error.hpp"
#include "process/Fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace orchestrate {

namespace {

[[noreturn]] void refuse(const std::filesystem::path& path, const std::string& what,
                         const std::string& reason)
{
  throw UsageError("cannot write " + what + " " + path.string() + ": " + reason +
                   "; nothing was started");
}

}  // namespace

void check_writable_folder(const std::filesystem::path& folder, const std::string& what)
{
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    refuse(folder, what, error.message());
  }
  // access(W_OK) says yes to root on a read-only mount: only creating a file tells.
  std::string probe = (folder / ".orchestrate-write-probe-XXXXXX").string();
  std::vector<char> name(probe.begin(), probe.end());
  name.push_back('\0');
  Fd fd(::mkstemp(name.data()));
  if (!fd) {
    refuse(folder, what, std::strerror(errno));
  }
  ::unlink(name.data());
}

void check_writable_file(const std::filesystem::path& file, const std::string& what)
{
  const std::filesystem::path absolute = std::filesystem::absolute(file);
  std::error_code error;
  if (std::filesystem::is_directory(absolute, error)) {
    refuse(file, what, "it is a folder");
  }
  check_writable_folder(absolute.parent_path(), what);
  if (std::filesystem::exists(absolute, error)) {
    // O_APPEND without O_TRUNC: the old report stays as it is until the run replaces it.
    Fd fd(::open(absolute.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd) {
      refuse(file, what, std::strerror(errno));
    }
  }
}

void check_output_paths(const ProjectConfig& project, const RunOptions& options)
{
  check_writable_folder(project.state_dir,
                        "into state_dir (from " + project.source_path.string() + ")");
  if (!options.junit_xml.empty()) {
    check_writable_file(options.junit_xml, "the --junit-xml report");
  }
  if (!options.report_json.empty()) {
    check_writable_file(options.report_json, "the --report-json report");
  }
}

}  // namespace orchestrate
