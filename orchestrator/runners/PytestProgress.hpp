#pragma once

#include "core/Quantities.hpp"
#include "reporting/TestResult.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orchestrate {

// One line of the progress file written by orchestrate's pytest plugin (PytestProgressPlugin.hpp).
struct PytestProgressEvent
{
  enum class Kind {
    k_start,   // pytest_runtest_logstart: the test begins (before its setup)
    k_result,  // pytest_runtest_logreport: one phase's result
    k_finish,  // pytest_runtest_logfinish: the test is done (after its teardown)
  };
  Kind kind = Kind::k_start;
  std::string nodeid;
  // Shard log offsets (see PytestProgressPlugin.hpp); nullopt: unknown.
  std::optional<std::uint64_t> log_offset;  // k_start: output starts; k_result: phase's ends
  std::optional<std::uint64_t> log_resume;  // k_result: the next phase's output starts
  // k_start and k_finish: when, by pytest's clock (unix seconds); nullopt when not given.
  std::optional<double> time;

  // k_result only.
  std::string when;     // setup, call or teardown
  std::string outcome;  // passed, failed or skipped
  Milliseconds duration{0};
  std::string message;                  // the crash message or the skip reason
  std::string longrepr;                 // the full failure text
  std::optional<std::string> wasxfail;  // set (maybe empty) when the test is marked xfail
};

// The events in `text`, one JSON object per line. Lines that are not such an object (a line cut
// short by a kill, an unknown event) are skipped. Never throws.
std::vector<PytestProgressEvent> parse_progress_lines(std::string_view text);

// Reads a progress file while pytest appends to it. Keeps an unterminated last line until its
// newline arrives.
class PytestProgressFile
{
public:
  explicit PytestProgressFile(std::filesystem::path path);

  // The events of the lines completed since the last call; none while the file does not exist.
  // Never throws.
  std::vector<PytestProgressEvent> read_new();

private:
  std::filesystem::path m_path;
  std::uint64_t m_offset = 0;
  std::string m_partial;
};

// A byte range [begin, end) of the shard log.
struct LogRange
{
  std::uint64_t begin = 0;
  std::uint64_t end = 0;

  bool operator==(const LogRange&) const = default;
};

// What the progress events say about one test.
struct PytestTestProgress
{
  std::string nodeid;
  std::vector<LogRange> output;               // its output in the shard log so far, by phase
  std::optional<std::uint64_t> output_resume;  // where its next output goes; nullopt: unknown
  std::vector<PytestProgressEvent> phases;     // its k_result events so far, in order
};

// Follows the events of one pytest process: which test runs now and which have finished.
class PytestProgressTracker
{
public:
  using Clock = std::chrono::steady_clock;

  // Applies one event; `seen` is when the runner read it, from which a running test's time is
  // counted. A test finishes with its teardown result (or its finish event).
  void apply(const PytestProgressEvent& event, Clock::time_point seen);

  // The test that has started and not finished, if any; valid until the next apply().
  const PytestTestProgress* running() const;

  // When the running test was seen starting; meaningless when running() is null.
  Clock::time_point running_since() const
  {
    return m_running_since;
  }

  // The finished tests, in the order they finished.
  const std::vector<PytestTestProgress>& finished() const
  {
    return m_finished;
  }

private:
  void finish_running();

  std::optional<PytestTestProgress> m_running;
  Clock::time_point m_running_since{};
  std::vector<PytestTestProgress> m_finished;
};

// One test's phase results folded into one result, as pytest's JUnit XML reports it: a failed
// setup or teardown is an error ("failed on setup with ..."), a failed call a failure (which wins
// over a teardown error), skips keep their reason, xfail marks give xfailed / xpassed; the
// duration is the sum of the phases; details hold the failure texts. A test with no phases is an
// error. classname and name are pytest_junit_names(nodeid).
TestResult result_from_progress(const PytestTestProgress& test);

// pytest's JUnit classname and name for a node id:
// "a/test_b.py::C::test_d[x::y]" -> {"a.test_b.C", "test_d[x::y]"}.
std::pair<std::string, std::string> pytest_junit_names(const std::string& nodeid);

}  // namespace orchestrate
