#pragma once

#include "runners/PytestProgress.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orchestrate {

// One line the worker plugin (PytestWorkerPlugin.hpp) sends over its socket, parsed. The full
// protocol is in docs/worker-protocol.md.
struct PytestWorkerMessage
{
  enum class Kind {
    k_collected,  // collection is over: `ids` in pytest's order, `collection_errors`
    k_progress,   // a test's start, phase result or finish: `progress` (+ `output` on results)
    k_not_found,  // an id sent to run that the worker did not collect: `nodeid`
    k_need_more,  // the worker waits for tests: `queued` are queued (it runs one only when it
                  // knows the next, or after shutdown)
    k_stale,      // a parked worker will not serve this run: `reason` (it exits)
  };

  // A module or file that failed to collect (an import error, a syntax error).
  struct CollectionError
  {
    std::string nodeid;
    std::string longrepr;
  };

  Kind kind = Kind::k_progress;
  std::vector<std::string> ids;
  std::vector<CollectionError> collection_errors;
  PytestProgressEvent progress;
  std::string output;  // k_progress results: the phase's captured output ("--- Captured ... ---")
  std::string nodeid;
  std::size_t queued = 0;
  std::string reason;
};

// The message in one line (without its newline); nullopt for anything else (not JSON, an
// unknown event, a required field missing). Never throws.
std::optional<PytestWorkerMessage> parse_worker_message(std::string_view line);

// The command lines orchestrate sends, each ending in a newline.
std::string worker_run_command(const std::vector<std::string>& ids);
std::string worker_shutdown_command();
std::string worker_flush_command();
// Sets these variables in the worker's os.environ before its next test.
std::string worker_environment_command(const std::map<std::string, std::string>& variables);
// The first command to a parked worker: write to `log` from now on, set `variables`.
std::string worker_adopt_command(const std::string& log,
                                 const std::map<std::string, std::string>& variables);

}  // namespace orchestrate
