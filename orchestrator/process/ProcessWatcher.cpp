#include "process/ProcessWatcher.hpp"

#include "process/SignalState.hpp"

#include <spdlog/spdlog.h>

#include <cstring>
#include <thread>

namespace orchestrate {

std::string ProcessEnding::describe(const std::string& program) const
{
  return stopped() ? reason : describe_exit(program, exit);
}

namespace {

ProcessOptions ending_escaped(ProcessOptions options)
{
  options.end_escaped = true;
  return options;
}

}  // namespace

ProcessWatcher::ProcessWatcher(ProcessOptions options, InterruptPolicy interrupts,
                               Milliseconds stop_grace)
  : m_process(std::in_place_type<ChildProcess>, ending_escaped(std::move(options))),
    m_interrupts(interrupts),
    m_stop_grace(stop_grace)
{
}

ProcessWatcher::ProcessWatcher(AdoptedProcess process, InterruptPolicy interrupts,
                               Milliseconds stop_grace)
  : m_process(std::move(process)), m_interrupts(interrupts), m_stop_grace(stop_grace)
{
}

int ProcessWatcher::pid() const
{
  return std::visit([](const auto& process) { return process.pid(); }, m_process);
}

std::string ProcessWatcher::output() const
{
  const auto* child = std::get_if<ChildProcess>(&m_process);
  return child != nullptr ? child->output() : std::string();
}

void ProcessWatcher::arm_deadline(Clock::time_point since, Milliseconds bound, std::string reason)
{
  m_deadline = Deadline{since, bound, std::move(reason)};
}

void ProcessWatcher::disarm_deadline()
{
  m_deadline.reset();
}

std::optional<ProcessWatcher::Clock::time_point> ProcessWatcher::deadline() const
{
  if (!m_deadline) {
    return std::nullopt;
  }
  return m_deadline->since + m_deadline->bound;
}

std::optional<ProcessEnding> ProcessWatcher::poll()
{
  if (m_ending) {
    return m_ending;
  }
  if (const auto exit = std::visit([](auto& process) { return process.poll(); }, m_process)) {
    m_ending = ProcessEnding{*exit, ProcessEnding::StoppedBy::k_nobody, {}, Milliseconds(0)};
    return m_ending;
  }
  if (m_interrupts == InterruptPolicy::k_stop && should_stop_children()) {
    // A second interrupt asks for speed: no grace.
    return stop_for(ProcessEnding::StoppedBy::k_interrupt, "interrupted",
                    interrupt_count() > 1 ? Milliseconds(0) : m_stop_grace);
  }
  const auto now = Clock::now();
  if (m_deadline && now - m_deadline->since >= m_deadline->bound) {
    const auto overdue = std::chrono::duration_cast<Milliseconds>(now - m_deadline->since);
    stop_for(ProcessEnding::StoppedBy::k_deadline, m_deadline->reason, m_stop_grace);
    m_ending->overdue_after = overdue;
    return m_ending;
  }
  return std::nullopt;
}

ProcessEnding ProcessWatcher::watch(Milliseconds interval,
                                    const std::function<void()>& before_poll)
{
  while (true) {
    if (before_poll) {
      before_poll();
    }
    if (auto ending = poll()) {
      return *ending;
    }
    std::this_thread::sleep_for(interval);
  }
}

ProcessEnding ProcessWatcher::stop(const std::string& reason)
{
  if (m_ending) {
    return *m_ending;
  }
  return stop_for(ProcessEnding::StoppedBy::k_request, reason, m_stop_grace);
}

const ProcessEnding& ProcessWatcher::stop_for(ProcessEnding::StoppedBy stopped_by,
                                              std::string reason, Milliseconds grace)
{
  spdlog::debug("[pid: {}] {}: stopping it", pid(), reason);
  std::visit([grace](auto& process) { process.stop(grace); }, m_process);
  ProcessEnding ending;
  ending.exit =
    std::visit([](auto& process) { return process.poll(); }, m_process).value_or(ProcessExit{});
  ending.exit.interrupted = stopped_by == ProcessEnding::StoppedBy::k_interrupt;
  ending.exit.timed_out = stopped_by == ProcessEnding::StoppedBy::k_deadline;
  ending.stopped_by = stopped_by;
  ending.reason = std::move(reason);
  m_ending = std::move(ending);
  m_deadline.reset();
  return *m_ending;
}

std::string describe_signal(int signal_number)
{
  std::string text = "killed by signal " + std::to_string(signal_number);
  if (const char* name = ::sigabbrev_np(signal_number)) {
    text += std::string(" (SIG") + name + ")";
  }
  return text;
}

std::string describe_exit(const std::string& program, const ProcessExit& exit)
{
  return exit.signal != 0 ? program + " was " + describe_signal(exit.signal)
                          : program + " exited with code " + std::to_string(exit.exit_code);
}

}  // namespace orchestrate
