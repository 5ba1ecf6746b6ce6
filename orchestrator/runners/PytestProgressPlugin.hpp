#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace orchestrate {

// The pytest plugin orchestrate ships inside its binary, loaded with `-p <k_module>`. It appends
// one JSON line per event to the file named by the environment variable
// `k_progress_file_variable`, flushed at once, so that the runner sees which test is running and
// keeps the results of a pytest process that is killed before it writes its JUnit XML:
//
//   {"event": "start",  "nodeid": ..., "time": <unix s>, "log_offset": <int|null>}
//   {"event": "result", "nodeid": ..., "when": "setup|call|teardown", "outcome":
//    "passed|failed|skipped", "duration": <s>, "message": <short text>, "longrepr": <text>,
//    "wasxfail": <reason|null>, "log_offset": <int|null>, "log_resume": <int|null>}
//   {"event": "finish", "nodeid": ..., "time": <unix s>}
//
// The offsets are sizes of the file behind pytest's stdout (after flushing), given when pytest
// runs with `-s`, where that file is the shard log: a test's output starts at its start's
// `log_offset`, each phase's output ends at its result's `log_offset`, and the next phase's starts
// at `log_resume` (after the progress letter pytest prints between them). They are null when
// pytest captures the output itself.
//
// At collection (`--collect-only`) it writes the collected ids, one per line, to the file named by
// `k_collected_file_variable`: the ids after every selection, whatever the terminal output looks
// like (a `-v` in the suite's args changes it). As each collector (a package, a module, a class)
// starts, it writes its node id to the file named by `k_collecting_file_variable`, replacing the
// last one, so that a collection that hangs (a module sleeping at import) can be named.
struct PytestProgressPlugin
{
  static constexpr std::string_view k_module = "orchestrate_pytest_progress";
  static constexpr std::string_view k_progress_file_variable = "ORCHESTRATE_PYTEST_PROGRESS";
  static constexpr std::string_view k_collected_file_variable = "ORCHESTRATE_PYTEST_COLLECTED";
  static constexpr std::string_view k_collecting_file_variable = "ORCHESTRATE_PYTEST_COLLECTING";

  // The plugin's Python source.
  static std::string_view source();
};

// Writes the plugin module into `directory`; returns its path. Throws InternalError when it
// cannot.
std::filesystem::path write_progress_plugin(const std::filesystem::path& directory);

// A fresh directory holding the plugin module, to be put on PYTHONPATH. Owns the directory: the
// destructor removes it. Move-only. A run puts it in its run folder (.orchestrate/runs/<runid>/),
// so that even a kill -9, which runs no destructor, leaves nothing outside that folder.
class PytestPluginDirectory
{
public:
  // Creates the directory in `parent` (empty: the system temp dir) and writes the module. Throws
  // InternalError when it cannot.
  explicit PytestPluginDirectory(const std::filesystem::path& parent = {});
  ~PytestPluginDirectory();

  PytestPluginDirectory(PytestPluginDirectory&& other) noexcept;
  PytestPluginDirectory& operator=(PytestPluginDirectory&& other) noexcept;
  PytestPluginDirectory(const PytestPluginDirectory&) = delete;
  PytestPluginDirectory& operator=(const PytestPluginDirectory&) = delete;

  // The directory to put on PYTHONPATH; empty for a moved-from object.
  const std::filesystem::path& path() const
  {
    return m_path;
  }

private:
  void remove() noexcept;

  std::filesystem::path m_path;
};

// PYTHONPATH with the plugin's `directory` first, keeping what the shard's `environment` or our own
// environment gave: the value a pytest process that loads an embedded plugin gets.
std::string python_path_with(const std::filesystem::path& directory,
                             const std::map<std::string, std::string>& environment);

}  // namespace orchestrate
