#pragma once

#include <filesystem>
#include <string_view>

namespace orchestrate {

// The pytest plugin that turns one pytest process into a long-lived worker (PytestWorker.hpp),
// loaded with `-p <k_module>`. Kept in the binary like the progress plugin, and written next to
// it (into a PytestPluginDirectory). The protocol it speaks is in docs/worker-protocol.md and
// PytestWorkerProtocol.hpp.
//
// It connects to the unix socket named by `k_socket_variable`, collects once, reports the
// collected ids, then runs the node ids it is sent, in order, each with pytest's own
// runtest protocol and the next queued test as `nextitem` (so a module's fixtures are torn down
// only after its last queued test). A plugin loaded without the variable does nothing.
struct PytestWorkerPlugin
{
  static constexpr std::string_view k_module = "orchestrate_pytest_worker";
  static constexpr std::string_view k_socket_variable = "ORCHESTRATE_PYTEST_WORKER_SOCKET";

  // The plugin's Python source.
  static std::string_view source();
};

// Writes the worker plugin module into `directory` (to be put on PYTHONPATH) and returns its
// path. Throws InternalError when it cannot be written.
std::filesystem::path write_worker_plugin(const std::filesystem::path& directory);

}  // namespace orchestrate
