#include "runners/PytestWorker.hpp"

#include "core/Error.hpp"
#include "process/LineSocket.hpp"
#include "process/SignalState.hpp"
#include "runners/ParkedPytestWorker.hpp"
#include "runners/PytestProgress.hpp"
#include "runners/PytestProgressPlugin.hpp"
#include "runners/PytestWorkerPlugin.hpp"
#include "runners/PytestWorkerProtocol.hpp"
#include "runners/TestRunner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <tuple>

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

// How often next_event() looks at the process between socket reads: a dead process is noticed
// within this even when its socket stays open (a grandchild holding it).
constexpr Milliseconds k_exit_check_interval(50);
// After pytest closes its socket it only finishes its session (terminal summary, atexit): a
// process still there after this is stuck and gets killed.
constexpr Milliseconds k_exit_after_close(10'000);
// A test's output in its result, and a failed start-up's output in the cause: their tails.
constexpr std::uint64_t k_max_output_bytes = 64 * 1024;
constexpr std::uint64_t k_max_startup_output_bytes = 4 * 1024;

std::uint64_t size_of(const std::filesystem::path& file)
{
  std::error_code error;
  const auto size = std::filesystem::file_size(file, error);
  return error ? 0 : size;
}

// The last `limit` bytes of `file` in [begin, end) (end nullopt: to its end), marked when cut;
// empty when unreadable.
std::string log_tail(const std::filesystem::path& file, std::uint64_t begin,
                     std::optional<std::uint64_t> end, std::uint64_t limit)
{
  const std::uint64_t size = std::min(size_of(file), end.value_or(UINT64_MAX));
  if (size <= begin) {
    return {};
  }
  const std::uint64_t start = std::max(begin, size > limit ? size - limit : 0);
  std::ifstream in(file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(start));
  std::string text(size - start, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  if (start > begin) {
    text = "[... " + std::to_string(start - begin) + " bytes of output left out ...]\n" + text;
  }
  return text;
}

void append_section(std::string& details, const std::string& text)
{
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return;
  }
  details += (details.empty() ? "" : "\n\n") + text;
}

// Removes the first `id` from `ids`; false when it is not there.
bool erase_first(std::deque<std::string>& ids, const std::string& id)
{
  const auto found = std::find(ids.begin(), ids.end(), id);
  if (found == ids.end()) {
    return false;
  }
  ids.erase(found);
  return true;
}

}  // namespace

PytestWorkerOptions pytest_worker_options(const ProjectConfig& project, const SuiteConfig& suite,
                                          const std::filesystem::path& log_file,
                                          Milliseconds timeout)
{
  PytestWorkerOptions options;
  options.python = project.python;
  options.root = project.root;
  options.args = suite.args;
  options.paths = suite.paths;
  options.log_file = log_file;
  if (timeout.count() > 0) {
    options.per_test_timeout = timeout;
  }
  return options;
}

std::vector<std::string> pytest_worker_argv(const PytestWorkerOptions& options)
{
  // -u: a test's prints reach the log at once, so a kill cannot lose them in a buffer. No cache
  // provider: parallel shards would race on .pytest_cache.
  std::vector<std::string> argv{options.python,
                                "-u",
                                "-m",
                                "pytest",
                                "-p",
                                "no:cacheprovider",
                                "--rootdir=" + options.root.string(),
                                "-p",
                                std::string(PytestWorkerPlugin::k_module),
                                "-q",
                                "-rN"};
  argv.insert(argv.end(), options.args.begin(), options.args.end());
  argv.insert(argv.end(), options.paths.begin(), options.paths.end());
  return argv;
}

std::filesystem::path worker_scratch_dir(const std::filesystem::path& run_dir)
{
  // sun_path holds 108 bytes with its terminating NUL; the plugin directory and the socket add
  // "/orchestrate-pytest-XXXXXX/worker.sock".
  constexpr std::size_t k_socket_path_limit = 107;
  constexpr std::size_t k_added = std::string_view("/orchestrate-pytest-XXXXXX/worker.sock").size();
  return run_dir.string().size() + k_added <= k_socket_path_limit ? run_dir
                                                                  : std::filesystem::path();
}

PytestWorker::PytestWorker(PytestWorkerOptions options)
  : m_options(std::move(options)),
    m_tracker(std::make_unique<PytestProgressTracker>())
{
}

PytestWorker::~PytestWorker()
{
  // The process first (its group is stopped and reaped), then its socket and plugin directory.
  m_process.reset();
}

int PytestWorker::pid() const
{
  return m_process ? m_process->pid() : 0;
}

std::string PytestWorker::running() const
{
  const auto* test = m_tracker->running();
  return test != nullptr ? test->nodeid : std::string();
}

void PytestWorker::start(const std::map<std::string, std::string>& environment)
{
  if (m_process) {
    throw InternalError("a pytest worker was started twice");
  }
  m_plugin = std::make_unique<PytestPluginDirectory>(m_options.scratch_dir);
  write_worker_plugin(m_plugin->path());
  m_socket = std::make_unique<LineSocket>(m_plugin->path() / "worker.sock");

  ProcessOptions options;
  options.argv = pytest_worker_argv(m_options);
  options.working_directory = m_options.root;
  options.extra_environment = environment;
  options.extra_environment["PYTHONPATH"] = python_path_with(m_plugin->path(), environment);
  options.extra_environment[std::string(PytestWorkerPlugin::k_socket_variable)] =
    m_socket->path().string();
  options.output_file = m_options.log_file;
  m_log_start = size_of(m_options.log_file);
  m_process.emplace(options, InterruptPolicy::k_ignore);
  arm_collection_deadline();
}

PytestWorker::Adoption PytestWorker::adopt(const ParkedPytestWorker& parked,
                                           const std::map<std::string, std::string>& run_variables)
{
  Adoption adoption;
  if (m_process) {
    adoption.reason = "the worker was started already";
    return adoption;
  }
  try {
    auto socket = LineSocket::connect_to(parked.socket());
    if (!socket) {
      adoption.reason = "nobody listens at " + parked.socket().string();
      return adoption;
    }
    auto process = AdoptedProcess::adopt(parked.waiter_pid, parked.waiter_start_ticks,
                                         parked.exit_status_file(), parked.escape_token);
    if (!process) {
      adoption.reason = "the process at " + parked.socket().string() + " is not the one parked";
      return adoption;
    }
    m_log_start = size_of(m_options.log_file);
    socket->send(worker_adopt_command(m_options.log_file.string(), run_variables));
    m_socket = std::move(socket);
    m_process.emplace(std::move(*process), InterruptPolicy::k_ignore);
    arm_collection_deadline();
  } catch (const std::exception& error) {
    adoption.reason = error.what();
    return adoption;
  }
  // Its first word says whether it serves us: `stale`, or the `collected` of any worker.
  while (m_events.empty() && !m_exited) {
    std::optional<PytestWorkerMessage> first;
    for (const auto& line : m_socket->receive(k_exit_check_interval)) {
      if (auto message = parse_worker_message(line); message &&
                                                     message->kind ==
                                                       PytestWorkerMessage::Kind::k_stale) {
        adoption.kind = Adoption::Kind::k_stale;
        adoption.reason = message->reason;
      } else {
        handle_line(line);
      }
    }
    if (adoption.kind == Adoption::Kind::k_stale || m_socket->closed()) {
      break;
    }
    if (const auto ending = m_process->poll(); ending && ending->stopped()) {
      adoption.reason = ending->reason;  // the collection timeout
      break;
    }
    if (should_stop_children()) {
      adoption.reason = "interrupted";
      break;
    }
  }
  if (!m_events.empty() && m_events.front().kind == PytestWorkerEvent::Kind::k_collected) {
    adoption.kind = Adoption::Kind::k_adopted;
    spdlog::debug("[pid: {}] adopted the warm pytest worker of {}", pid(),
                  parked.directory.string());
    return adoption;
  }
  if (adoption.kind != Adoption::Kind::k_stale && adoption.reason.empty()) {
    adoption.reason = "it ended before it answered";
  }
  // As before the call: the process (stopped if need be), its socket and any event are dropped.
  m_process.reset();
  m_socket.reset();
  m_events.clear();
  m_collected.reset();
  m_exited = false;
  return adoption;
}

void PytestWorker::arm_collection_deadline()
{
  m_process->arm_deadline(m_options.collection_timeout,
                          "pytest did not collect within " +
                            format_seconds(m_options.collection_timeout));
}

void PytestWorker::submit(const std::vector<std::string>& ids)
{
  if (ids.empty() || m_exited) {
    return;
  }
  m_queued.insert(m_queued.end(), ids.begin(), ids.end());
  if (m_socket) {
    m_socket->send(worker_run_command(ids));
  }
}

void PytestWorker::shutdown()
{
  if (m_shutdown_sent || m_exited) {
    return;
  }
  m_shutdown_sent = true;
  if (m_socket) {
    m_socket->send(worker_shutdown_command());
  }
}

void PytestWorker::flush()
{
  if (m_socket && !m_shutdown_sent && !m_exited) {
    m_socket->send(worker_flush_command());
  }
}

void PytestWorker::set_environment(const std::map<std::string, std::string>& variables)
{
  if (m_socket && !m_shutdown_sent && !m_exited) {
    m_socket->send(worker_environment_command(variables));
  }
}

std::optional<PytestWorkerEvent> PytestWorker::next_event(Milliseconds timeout)
{
  const auto deadline = Clock::now() + timeout;
  while (m_events.empty() && m_process && !m_exited) {
    const auto left = std::chrono::duration_cast<Milliseconds>(deadline - Clock::now());
    const auto wait = std::clamp(left, Milliseconds(0), k_exit_check_interval);
    if (m_socket->closed()) {
      // Nothing more will come through it; only the process's end is left to wait for.
      std::this_thread::sleep_for(wait);
    }
    for (const auto& line : m_socket->receive(wait)) {
      handle_line(line);
    }
    // A deadline blames the test running when the watcher decides.
    const std::string blamed = running();
    if (const auto ending = m_process->poll()) {
      if (ending->stopped()) {
        report_stop(blamed, *ending);
        break;
      }
      // What it wrote just before the end is still in the socket.
      while (!m_socket->closed()) {
        const auto lines = m_socket->receive(Milliseconds(0));
        if (lines.empty()) {
          break;
        }
        for (const auto& line : lines) {
          handle_line(line);
        }
      }
      report_exit(*ending);
      break;
    }
    if (m_socket->closed() && !m_closed_at) {
      m_closed_at = Clock::now();
      // Unless a test's timeout ends it sooner.
      const auto deadline_now = m_process->deadline();
      if (!deadline_now || *m_closed_at + k_exit_after_close < *deadline_now) {
        m_process->arm_deadline(*m_closed_at, k_exit_after_close,
                                "pytest did not exit " + format_seconds(k_exit_after_close) +
                                  " after closing its channel");
      }
    }
    if (Clock::now() >= deadline) {
      break;
    }
  }
  if (m_events.empty()) {
    return std::nullopt;
  }
  auto event = std::move(m_events.front());
  m_events.pop_front();
  return event;
}

void PytestWorker::kill(const std::string& reason)
{
  if (m_process && !m_exited) {
    const std::string blamed = running();
    report_stop(blamed, m_process->stop(reason));
  }
}

void PytestWorker::report_stop(const std::string& blamed, const ProcessEnding& ending)
{
  // The test to blame is the one running when we decided; one that started during the stop (the
  // slow test finished just in time) is not at fault and goes back to the queue.
  for (const auto& line : m_socket->receive(Milliseconds(0))) {
    handle_line(line);
  }
  const std::string now_running = running();
  if (!now_running.empty() && now_running != blamed) {
    m_queued.push_front(now_running);
    m_tracker = std::make_unique<PytestProgressTracker>();
  }
  report_exit(ending);
}

TestResult PytestWorker::cut_short(const std::string& message)
{
  const auto* test = m_tracker->running();
  TestResult result;
  result.id = test->nodeid;
  std::tie(result.classname, result.name) = pytest_junit_names(test->nodeid);
  result.outcome = Outcome::k_failed;
  result.message = message;
  result.duration =
    std::chrono::duration_cast<Milliseconds>(Clock::now() - m_tracker->running_since());
  // The reason first: a report shows the details under the test's name.
  result.details = message;
  append_section(result.details, m_running_output);
  if (m_running_log_begin) {
    // With -s its output went to the shard log, from its start on.
    append_section(result.details,
                   "--- output so far ---\n" + log_tail(m_options.log_file, *m_running_log_begin,
                                                       std::nullopt, k_max_output_bytes));
  }
  note_in_log(m_options.log_file, test->nodeid + ": " + message);
  return result;
}

void PytestWorker::report_exit(const ProcessEnding& ending)
{
  m_exited = true;
  const ProcessExit& exit = ending.exit;
  bool cut = false;
  if (m_tracker->running() != nullptr) {
    PytestWorkerEvent finished;
    finished.kind = PytestWorkerEvent::Kind::k_finished;
    finished.result =
      cut_short(ending.stopped() ? ending.reason : crash_message("pytest", exit));
    finished.test_id = finished.result.id;
    finished.failed = true;
    m_events.push_back(std::move(finished));
    cut = true;
  }
  PytestWorkerEvent exited;
  exited.kind = PytestWorkerEvent::Kind::k_exited;
  exited.exit = exit;
  exited.ids.assign(m_queued.begin(), m_queued.end());
  m_queued.clear();
  exited.expected = m_shutdown_sent && !ending.stopped() && !cut && exit.signal == 0 &&
                    (exit.exit_code == 0 || exit.exit_code == 1) && exited.ids.empty();
  if (exited.expected) {
    exited.cause = "shut down";
  } else if (!ending.stopped() && !m_collected) {
    exited.cause = ending.describe("pytest") + " before collecting:\n" +
                   log_tail(m_options.log_file, m_log_start, std::nullopt, k_max_startup_output_bytes);
  } else {
    exited.cause = ending.describe("pytest");
  }
  spdlog::debug("[pid: {}] pytest worker ended: {}", pid(), exited.cause);
  m_events.push_back(std::move(exited));
}

void PytestWorker::handle_line(const std::string& line)
{
  auto message = parse_worker_message(line);
  if (!message) {
    return;
  }
  PytestWorkerEvent event;
  switch (message->kind) {
  case PytestWorkerMessage::Kind::k_collected:
    m_collected = message->ids;
    m_process->disarm_deadline();
    event.kind = PytestWorkerEvent::Kind::k_collected;
    event.ids = std::move(message->ids);
    for (const auto& error : message->collection_errors) {
      event.collection_errors.push_back(error.nodeid + "\n" + error.longrepr);
    }
    break;
  case PytestWorkerMessage::Kind::k_not_found:
    erase_first(m_queued, message->nodeid);
    event.kind = PytestWorkerEvent::Kind::k_finished;
    event.test_id = message->nodeid;
    event.result = not_run_result(message->nodeid, "the pytest worker did not collect it");
    event.failed = true;
    break;
  case PytestWorkerMessage::Kind::k_need_more:
    event.kind = PytestWorkerEvent::Kind::k_need_more;
    event.queued = message->queued;
    break;
  case PytestWorkerMessage::Kind::k_progress: {
    const auto& progress = message->progress;
    if (progress.kind == PytestProgressEvent::Kind::k_start) {
      erase_first(m_queued, progress.nodeid);
      m_running_output.clear();
      m_running_log_begin = progress.log_offset;
      m_running_log_end.reset();
    }
    m_running_output += message->output;
    if (progress.kind == PytestProgressEvent::Kind::k_result && progress.log_offset) {
      m_running_log_end = progress.log_offset;
    }
    m_tracker->apply(progress, Clock::now());
    if (progress.kind == PytestProgressEvent::Kind::k_start) {
      if (m_options.per_test_timeout) {
        m_process->arm_deadline(m_tracker->running_since(), *m_options.per_test_timeout,
                                "timeout after " + format_seconds(*m_options.per_test_timeout));
      }
      event.kind = PytestWorkerEvent::Kind::k_started;
      event.test_id = progress.nodeid;
      break;
    }
    if (m_tracker->finished().empty()) {
      return;
    }
    const auto& test = m_tracker->finished().back();
    event.kind = PytestWorkerEvent::Kind::k_finished;
    event.test_id = test.nodeid;
    event.result = result_from_progress(test);
    event.failed = std::any_of(test.phases.begin(), test.phases.end(), [](const auto& phase) {
      return phase.outcome == "failed" && !phase.wasxfail;
    });
    if (event.result.outcome == Outcome::k_failed || event.result.outcome == Outcome::k_error) {
      append_section(event.result.details, m_running_output);
      if (m_running_log_begin && m_running_log_end) {
        append_section(event.result.details,
                       "--- output ---\n" + log_tail(m_options.log_file, *m_running_log_begin,
                                                     m_running_log_end, k_max_output_bytes));
      }
    }
    m_running_output.clear();
    m_process->disarm_deadline();
    // A fresh tracker per test: a worker lives for thousands of tests, and nothing is running.
    m_tracker = std::make_unique<PytestProgressTracker>();
    break;
  }
  }
  m_events.push_back(std::move(event));
}

std::vector<PytestWorkerEvent> PytestWorker::finish(Milliseconds bound)
{
  std::vector<PytestWorkerEvent> events;
  shutdown();
  const auto deadline = Clock::now() + bound;
  while (!m_exited || !m_events.empty()) {
    const auto left = std::chrono::duration_cast<Milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 && !m_exited) {
      kill("the pytest worker did not shut down within " + format_seconds(bound));
    }
    if (auto event = next_event(std::max(left, Milliseconds(0)))) {
      events.push_back(std::move(*event));
    }
    if (!m_process) {
      break;
    }
  }
  return events;
}

}  // namespace orchestrate
