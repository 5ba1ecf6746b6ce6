#include "run/EngineRemovals.hpp"

#include "cleanup/Reaper.hpp"
#include "cleanup/StaleVerdict.hpp"

namespace orchestrate {

std::vector<EngineRemoval> engine_removals_of(RunEngines& engines, const RunRemoval& main,
                                              const std::deque<RunRemoval>& others,
                                              const std::vector<ShardTiming>& shards)
{
  std::vector<EngineRemoval> removals;
  auto other = others.begin();
  for (DockerEngine* engine : engines.all()) {
    EngineRemoval removal;
    removal.name = engine->endpoint().name;
    removal.removal = removals.empty() ? &main : &*other++;
    for (const auto& shard : shards) {
      if (shard.engine == removal.name && !shard.project.empty()) {
        removal.stacks.push_back(shard.project);
      }
    }
    removals.push_back(std::move(removal));
  }
  return removals;
}

ExitCode settle_engine_removals(const std::vector<EngineRemoval>& engines, ReaperGuard& reaper,
                                const std::filesystem::path& reaper_log, ExitCode exit_code,
                                std::FILE* out)
{
  std::vector<RemovalFindings> findings;
  bool all_confirmed = true;
  bool any_stayed = false;
  for (const auto& engine : engines) {
    findings.push_back(engine.removal->check(engine.stacks));
    all_confirmed = all_confirmed && findings.back().confirmed();
    any_stayed = any_stayed ||
                 (findings.back().engine_answers && !findings.back().engine_went_away);
  }
  ReaperHandOver hand_over{reaper.pid(), reaper_log, {}};
  try {
    hand_over.schedule = reap_schedule_from_environment();
  } catch (const std::exception&) {
    // As RunRemoval::settle: a reaper given a bad value does not arm.
  }
  if (all_confirmed) {
    reaper.release();
  } else {
    reaper.hand_over();
  }
  ExitCode final_code = exit_code;
  if (exit_code != ExitCode::k_interrupted && !any_stayed) {
    final_code = ExitCode::k_docker_unavailable;
  }
  for (std::size_t i = 0; i < engines.size(); ++i) {
    const auto& found = findings[i];
    const bool lost = found.engine_went_away || !found.engine_answers;
    if (lost && any_stayed) {
      // The run went on without it: say so, and who removes what it left there.
      std::string message = "engine " + engines[i].name +
                            " stopped answering during the run; its shards moved to the other "
                            "engines, and the tests decide the run's exit code.";
      if (found.confirmed()) {
        message += " Nothing of the run is left on it.\n";
      } else {
        message += "\nthe run's reaper (pid " + std::to_string(hand_over.pid) +
                   ") removes what is left of the run on it as soon as it answers again, trying "
                   "for up to " + format_age(hand_over.schedule.give_up_after) + " (log: " +
                   hand_over.log_file.string() + "); after that, `orchestrate cleanup --engine " +
                   engines[i].name + "` removes it.\n";
      }
      std::fputs(message.c_str(), out);
      continue;
    }
    // Otherwise each engine's own story, as a single-engine run tells it, headed by its name.
    const auto message = removal_message(found, hand_over, final_code);
    if (!message.empty()) {
      std::fprintf(out, "engine %s: %s", engines[i].name.c_str(), message.c_str());
    }
  }
  std::fflush(out);
  return final_code;
}

}  // namespace orchestrate
