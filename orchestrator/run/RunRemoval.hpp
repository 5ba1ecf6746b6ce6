#pragma once

#include "cleanup/ReapSchedule.hpp"
#include "core/ExitCode.hpp"
#include "docker/DockerEngine.hpp"
#include "docker/EngineOutages.hpp"
#include "reporting/JsonReport.hpp"

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace orchestrate {

class ReaperGuard;

// What the end of a run found out about its resources and its engine.
struct RemovalFindings
{
  std::string engine;             // the engine's socket (or tcp://host:port), for messages
  std::string run_id;
  bool engine_went_away = false;  // a request found nothing listening during the run
  bool engine_answers = true;     // it answers now, after every stack was torn down
  std::vector<std::string> left;  // "container x", ... still there after one more removal
  std::vector<std::string> stacks;  // the run's stacks, named when nothing can be listed

  // Nothing of the run is left, as far as an answering engine says.
  bool confirmed() const
  {
    return engine_answers && left.empty();
  }
};

// Who will remove what is left, for the message.
struct ReaperHandOver
{
  int pid = 0;
  std::filesystem::path log_file;
  ReapSchedule schedule;
};

// A run's exit code once its engine is judged: a run whose engine went away (killed, restarted)
// or does not answer at its end is an infrastructure failure, exit 7 (k_docker_unavailable),
// whatever its tests did, unless it was interrupted (2 stays 2). Anything else is unchanged.
ExitCode exit_code_after_removal(ExitCode exit_code, const RemovalFindings& findings);

// What to tell the user about the engine and the leftovers: "" when the engine stayed and nothing
// is left. Otherwise it says what happened to the engine, what is left on it (by name, or the
// stacks when the engine cannot be asked), and that the reaper removes it once the engine answers
// (for how long, its log), else `orchestrate cleanup`. `exit_code` is the run's, as
// exit_code_after_removal() made it.
std::string removal_message(const RemovalFindings& findings, const ReaperHandOver& reaper,
                            ExitCode exit_code);

// The end of a run's resources, from before its first stack to after its last teardown: it
// remembers how often its engine had not answered when the run began, and at the end confirms
// that nothing labelled with the run id is left before the reaper is released.
class RunRemoval
{
public:
  // Before the run creates anything on `engine`. With `stacks_may_be_kept` (--keep-on-failure)
  // what is left at the end may be kept on purpose: it is neither removed nor handed over while
  // the engine answers.
  RunRemoval(DockerEngine& engine, std::string run_id, bool stacks_may_be_kept);

  // After every stack of the run was torn down: lists what still carries the run's labels and
  // tries once more to remove it. Never throws.
  RemovalFindings check(const std::vector<std::string>& stacks) const;

  // check(), then releases `reaper` when nothing is left, else hands the rest over to it (it
  // keeps trying, see ReapSchedule). Prints removal_message() to `out` when there is one and
  // returns exit_code_after_removal(). Never throws.
  // `shards` name the run's stacks for the message.
  ExitCode settle(ReaperGuard& reaper, const std::filesystem::path& reaper_log,
                  const std::vector<ShardTiming>& shards, ExitCode exit_code,
                  std::FILE* out) const;

private:
  DockerEngine& m_engine;
  std::string m_run_id;
  bool m_stacks_may_be_kept = false;
  std::uint64_t m_unanswered_at_start = 0;
};

}  // namespace orchestrate
