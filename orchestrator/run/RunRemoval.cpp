#include "run/RunRemoval.hpp"

#include "cleanup/Reaper.hpp"
#include "cleanup/StaleVerdict.hpp"
#include "docker/ComposeStack.hpp"
#include "docker/ResourceLabels.hpp"

#include <spdlog/spdlog.h>

namespace orchestrate {

namespace {

std::string joined(const std::vector<std::string>& items)
{
  std::string text;
  for (const auto& item : items) {
    text += (text.empty() ? "" : ", ") + item;
  }
  return text;
}

std::string what_is_left(const RemovalFindings& findings)
{
  if (findings.engine_answers) {
    return joined(findings.left);
  }
  const std::string everything =
    "everything labelled " + label_filter(labels::k_run, findings.run_id);
  if (findings.stacks.empty()) {
    return everything + " (it cannot be listed while the engine does not answer)";
  }
  return "what remains of the stack" + std::string(findings.stacks.size() > 1 ? "s " : " ") +
         joined(findings.stacks) + " (containers, networks, volumes: " + everything +
         "; it cannot be listed while the engine does not answer)";
}

}  // namespace

ExitCode exit_code_after_removal(ExitCode exit_code, const RemovalFindings& findings)
{
  if (exit_code == ExitCode::k_interrupted) {
    return exit_code;
  }
  if (findings.engine_went_away || !findings.engine_answers) {
    return ExitCode::k_docker_unavailable;
  }
  return exit_code;
}

std::string removal_message(const RemovalFindings& findings, const ReaperHandOver& reaper,
                            ExitCode exit_code)
{
  std::string message;
  if (findings.engine_went_away || !findings.engine_answers) {
    message = "error: the Docker engine at " + findings.engine +
              (findings.engine_answers ? " stopped answering during the run"
                                       : " stopped answering during the run and does not "
                                         "answer now") +
              ": an infrastructure failure, not a verdict on the tests (exit " +
              std::to_string(to_int(exit_code)) + ").";
  }
  if (findings.confirmed()) {
    return message.empty() ? message : message + " Nothing of the run is left on it.\n";
  }
  if (!message.empty()) {
    message += "\n";
  }
  message += "left on the engine: " + what_is_left(findings) + "\n";
  message += "the run's reaper (pid " + std::to_string(reaper.pid) + ") removes it " +
             (findings.engine_answers ? std::string("as soon as the engine lets it")
                                      : std::string("as soon as the engine answers again")) +
             ", trying for up to " + format_age(reaper.schedule.give_up_after) + " (log: " +
             reaper.log_file.string() + "); after that, `orchestrate cleanup` removes it (its " +
             "owner, this run, has exited).\n";
  return message;
}

RunRemoval::RunRemoval(DockerEngine& engine, std::string run_id, bool stacks_may_be_kept)
  : m_engine(engine),
    m_run_id(std::move(run_id)),
    m_stacks_may_be_kept(stacks_may_be_kept),
    m_unanswered_at_start(engine_outage_tally(engine.socket_path()).unanswered_requests)
{
}

RemovalFindings RunRemoval::check(const std::vector<std::string>& stacks) const
{
  RemovalFindings findings;
  findings.engine = m_engine.socket_path();
  findings.run_id = m_run_id;
  findings.stacks = stacks;
  findings.engine_answers = m_engine.ping();
  if (findings.engine_answers && !m_stacks_may_be_kept) {
    // Each stack removed itself; this catches what a teardown could not (the engine went away
    // in the middle of it and came back) and confirms the rest.
    const auto removed = remove_labelled_resources(
      m_engine, {label_filter(labels::k_managed, "true"), label_filter(labels::k_run, m_run_id)},
      findings.left);
    for (const auto& what : removed) {
      spdlog::info("removed {} left by a teardown", what);
    }
  }
  if (!findings.left.empty() && !m_engine.ping()) {
    findings.engine_answers = false;  // it went away while we were removing
  }
  // Read last: an engine that does not answer now went away during the run too.
  findings.engine_went_away =
    engine_outage_tally(m_engine.socket_path()).unanswered_requests > m_unanswered_at_start;
  return findings;
}

ExitCode RunRemoval::settle(ReaperGuard& reaper, const std::filesystem::path& reaper_log,
                            const std::vector<ShardTiming>& shards, ExitCode exit_code,
                            std::FILE* out) const
{
  std::vector<std::string> stacks;
  for (const auto& shard : shards) {
    if (!shard.project.empty()) {
      stacks.push_back(shard.project);
    }
  }
  const auto findings = check(stacks);
  ReaperHandOver hand_over{reaper.pid(), reaper_log, {}};
  try {
    hand_over.schedule = reap_schedule_from_environment();
  } catch (const std::exception&) {
    // Not reached in practice: a reaper given a bad value does not arm, and the run stops there.
  }
  if (findings.confirmed()) {
    reaper.release();
  } else {
    reaper.hand_over();
  }
  const auto final_code = exit_code_after_removal(exit_code, findings);
  const auto message = removal_message(findings, hand_over, final_code);
  if (!message.empty()) {
    std::fputs(message.c_str(), out);
    std::fflush(out);
  }
  return final_code;
}

}  // namespace orchestrate
