#include "selection/DurationStore.hpp"

#include "core/Error.hpp"
#include "core/FileText.hpp"
#include "core/OwnedFile.hpp"
#include "process/Fd.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

namespace orchestrate {

namespace {

using Json = nlohmann::json;

constexpr int k_format_version = 1;

// How long save() waits for another run's save to finish before it writes anyway: a save holds
// the lock for milliseconds, so a longer wait means a stuck process, and durations are not worth
// blocking the end of a run.
constexpr auto k_lock_patience = std::chrono::seconds(5);

constexpr std::array<std::pair<const char*, Milliseconds StackHistory::*>, 3> k_stack_phases{{
  {"stack_up", &StackHistory::stack_up},
  {"ready", &StackHistory::ready},
  {"teardown", &StackHistory::teardown},
}};

double to_seconds(Milliseconds duration)
{
  return static_cast<double>(duration.count()) / 1000.0;
}

// The exponential moving average with weight 1/2 (see DurationStore).
Milliseconds smoothed(Milliseconds previous, Milliseconds sample)
{
  return (previous + sample) / 2;
}

Milliseconds seconds_value(const Json& value)
{
  const double seconds = value.get<double>();
  if (!std::isfinite(seconds) || seconds < 0) {
    throw std::invalid_argument("a duration must be a non-negative number of seconds");
  }
  return Milliseconds{std::llround(seconds * 1000.0)};
}

int runs_value(const Json& value)
{
  const int runs = value.get<int>();
  if (runs < 0) {
    throw std::invalid_argument("runs must not be negative");
  }
  return runs;
}

TestHistory test_from_json(const Json& json)
{
  TestHistory history;
  if (json.contains("seconds")) {
    history.duration = seconds_value(json.at("seconds"));
  }
  const auto outcome = parse_outcome(json.at("last_outcome").get<std::string>());
  if (!outcome) {
    throw std::invalid_argument("unknown outcome '" + json.at("last_outcome").get<std::string>() +
                                "'");
  }
  history.last_outcome = *outcome;
  history.runs = runs_value(json.at("runs"));
  return history;
}

Json test_to_json(const TestHistory& history)
{
  Json json{{"last_outcome", std::string(outcome_name(history.last_outcome))},
            {"runs", history.runs}};
  if (history.duration) {
    json["seconds"] = to_seconds(*history.duration);
  }
  return json;
}

StackHistory stack_from_json(const Json& json)
{
  StackHistory history;
  for (const auto& [key, field] : k_stack_phases) {
    history.*field = seconds_value(json.at(key));
  }
  history.runs = runs_value(json.at("runs"));
  if (json.contains("tests")) {
    history.tests = runs_value(json.at("tests"));  // files written before it have none
  }
  return history;
}

Json stack_to_json(const StackHistory& history)
{
  Json json{{"runs", history.runs}, {"tests", history.tests}};
  for (const auto& [key, field] : k_stack_phases) {
    json[key] = to_seconds(history.*field);
  }
  return json;
}

std::string read_text(const std::filesystem::path& file)
{
  auto content = read_file_text(file);
  if (!content) {
    throw std::runtime_error(std::strerror(errno));
  }
  return std::move(*content);
}

// An exclusive flock on `<file>.lock` for the read-merge-write of save(), released when the
// object goes away. Best effort: when the lock cannot be had it says so and holds nothing.
class SaveLock
{
public:
  explicit SaveLock(const std::filesystem::path& file)
  {
    try {
      // Like every lock file: no symlink followed, only our own regular file.
      m_fd = open_owned_file(file.string() + ".lock", O_RDWR | O_CREAT, "durations lock file");
    } catch (const UsageError& error) {
      spdlog::warn("durations: {}; saving without the lock", error.what());
      return;
    }
    const auto deadline = std::chrono::steady_clock::now() + k_lock_patience;
    while (::flock(m_fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK || std::chrono::steady_clock::now() >= deadline) {
        spdlog::warn("durations: {}.lock is busy; saving without it", file.string());
        m_fd.close();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

private:
  Fd m_fd;
};

void write_atomically(const std::filesystem::path& file, const std::string& text)
{
  const std::filesystem::path temporary =
    file.string() + ".tmp-" + std::to_string(static_cast<long>(::getpid()));
  {
    std::ofstream stream(temporary, std::ios::binary | std::ios::trunc);
    stream << text;
    stream.close();
    if (!stream) {
      const std::string reason = std::strerror(errno);
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw InternalError("cannot write durations " + file.string() + ": " + reason);
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, file, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw InternalError("cannot write durations " + file.string() + ": " + error.message());
  }
}

// "test 'a' (reason), test 'b' (reason)".
std::string join_skipped(const std::vector<std::string>& skipped)
{
  std::string text;
  for (const std::string& entry : skipped) {
    text += (text.empty() ? "" : ", ") + entry;
  }
  return text;
}

// Renames a durations file that cannot be read at all to <file>.unreadable-<unix time>, so the
// save that follows never destroys history a person may still want to repair (a merge conflict
// in a committed file, a newer format).
void keep_aside(const std::filesystem::path& file)
{
  std::error_code status_error;
  if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(file, status_error))) {
    // A folder or a device in its place is not ours to move; nothing is written.
    throw InternalError("cannot write durations " + file.string() +
                        ": it is not a regular file; not saving over it");
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
    std::chrono::system_clock::now().time_since_epoch());
  const std::filesystem::path aside =
    file.string() + ".unreadable-" + std::to_string(now.count());
  std::error_code error;
  std::filesystem::rename(file, aside, error);
  if (error) {
    throw InternalError("cannot keep the unreadable durations file " + file.string() +
                        " aside as " + aside.string() + ": " + error.message() +
                        "; not saving over it");
  }
  spdlog::warn("durations: kept the unreadable {} aside as {}", file.string(), aside.string());
}

}  // namespace

DurationStore DurationStore::load(const std::filesystem::path& file)
{
  DurationStore store = read(file);
  if (!store.m_unreadable_reason.empty()) {
    spdlog::warn("durations: cannot read {}: {}; planning without recorded durations (the next "
                 "save keeps the file aside as {}.unreadable-<time>)",
                 file.string(), store.m_unreadable_reason, file.filename().string());
  }
  if (!store.m_skipped.empty()) {
    spdlog::warn("durations: {}: skipping {} entr{} that cannot be read, kept in the file as they "
                 "are: {}",
                 file.string(), store.m_skipped.size(), store.m_skipped.size() == 1 ? "y" : "ies",
                 join_skipped(store.m_skipped));
  }
  return store;
}

DurationStore DurationStore::read(const std::filesystem::path& file)
{
  DurationStore store;
  std::error_code error;
  if (!std::filesystem::exists(file, error)) {
    return store;
  }
  Json json;
  try {
    json = Json::parse(read_text(file));
    if (!json.is_object()) {
      throw std::invalid_argument("not a JSON object");
    }
    const int version = json.at("version").get<int>();
    if (version != k_format_version) {
      throw std::invalid_argument("unknown version " + std::to_string(version));
    }
    for (const char* section : {"tests", "stacks"}) {
      if (json.contains(section) && !json.at(section).is_object()) {
        throw std::invalid_argument(std::string("\"") + section + "\" is not an object");
      }
    }
  } catch (const std::exception& failure) {
    // nlohmann's messages name the key or the byte offset, which is enough to find the fault.
    store.m_unreadable_reason = failure.what();
    return store;
  }
  // One bad entry (a hand edit, a merge) costs that entry only: the others are read, and the bad
  // one is written back unchanged by save() unless this run records that test again.
  // Named copies: a range-for over .items() of a temporary would iterate a destroyed object.
  const Json tests = json.value("tests", Json::object());
  const Json stacks = json.value("stacks", Json::object());
  for (const auto& [id, entry] : tests.items()) {
    try {
      store.set_test(id, test_from_json(entry));
    } catch (const std::exception& failure) {
      store.m_skipped.push_back("test '" + id + "' (" + failure.what() + ")");
      store.m_unparsed_tests[id] = entry;
    }
  }
  for (const auto& [suite, entry] : stacks.items()) {
    try {
      store.m_stacks[suite] = stack_from_json(entry);
    } catch (const std::exception& failure) {
      store.m_skipped.push_back("stack times of '" + suite + "' (" + failure.what() + ")");
      store.m_unparsed_stacks[suite] = entry;
    }
  }
  return store;
}

void DurationStore::save(const std::filesystem::path& file) const
{
  std::error_code error;
  if (file.has_parent_path()) {
    std::filesystem::create_directories(file.parent_path(), error);
  }
  const SaveLock lock(file);
  // Read again (another run may have saved meanwhile), quietly: load() already warned.
  DurationStore merged = read(file);
  if (!merged.m_unreadable_reason.empty()) {
    keep_aside(file);
  }
  for (const std::string& id : m_recorded_tests) {
    merged.set_test(id, m_tests.at(id));
  }
  for (const std::string& suite : m_recorded_stacks) {
    merged.m_stacks[suite] = m_stacks.at(suite);
  }

  Json tests = Json::object();
  for (const auto& [id, history] : merged.m_tests) {
    tests[id] = test_to_json(history);
  }
  for (const auto& [id, entry] : merged.m_unparsed_tests) {
    if (!tests.contains(id)) {
      tests[id] = entry;
    }
  }
  Json stacks = Json::object();
  for (const auto& [suite, history] : merged.m_stacks) {
    stacks[suite] = stack_to_json(history);
  }
  for (const auto& [suite, entry] : merged.m_unparsed_stacks) {
    if (!stacks.contains(suite)) {
      stacks[suite] = entry;
    }
  }
  // Keys sorted (nlohmann's default object) and indented: a committed durations file (which CI
  // machines sharing one plan need) diffs cleanly.
  const Json json{{"version", k_format_version}, {"tests", tests}, {"stacks", stacks}};
  write_atomically(file, json.dump(2) + "\n");
}

Milliseconds DurationStore::expected(const std::string& test_id) const
{
  const auto found = m_tests.find(test_id);
  if (found != m_tests.end() && found->second.duration) {
    return *found->second.duration;
  }
  return average().value_or(k_default_expected);
}

std::vector<TestCase> DurationStore::test_cases(const std::vector<std::string>& test_ids) const
{
  const Milliseconds fallback =
    average_of(test_ids).value_or(average().value_or(k_default_expected));
  std::vector<TestCase> cases;
  cases.reserve(test_ids.size());
  for (const std::string& id : test_ids) {
    const auto found = m_tests.find(id);
    const bool timed = found != m_tests.end() && found->second.duration;
    cases.push_back(TestCase{id, timed ? *found->second.duration : fallback});
  }
  return cases;
}

void DurationStore::record(const std::vector<TestResult>& results)
{
  for (const TestResult& result : results) {
    const auto found = m_tests.find(result.id);
    TestHistory history = found != m_tests.end() ? found->second : TestHistory{};
    history.last_outcome = result.outcome;
    history.runs += 1;
    const bool measured = result.outcome != Outcome::k_error || result.duration.count() > 0;
    if (measured) {
      history.duration =
        history.duration ? smoothed(*history.duration, result.duration) : result.duration;
    }
    set_test(result.id, history);
    m_recorded_tests.insert(result.id);
  }
}

void DurationStore::record_stack_time(const std::string& suite, const ShardTiming& shard)
{
  if (!shard.error.empty()) {
    return;
  }
  StackHistory& history = m_stacks[suite];
  const StackHistory sample{shard.stack_up, shard.ready, shard.teardown, 1};
  for (const auto& [key, field] : k_stack_phases) {
    history.*field = history.runs == 0 ? sample.*field : smoothed(history.*field, sample.*field);
  }
  history.runs += 1;
  m_recorded_stacks.insert(suite);
}

void DurationStore::record_suite_size(const std::string& suite, int tests)
{
  m_stacks[suite].tests = tests;
  m_recorded_stacks.insert(suite);
}

std::vector<std::string> DurationStore::last_failed(const std::vector<std::string>& test_ids) const
{
  std::vector<std::string> failed;
  for (const std::string& id : test_ids) {
    const auto found = m_tests.find(id);
    if (found != m_tests.end() && (found->second.last_outcome == Outcome::k_failed ||
                                   found->second.last_outcome == Outcome::k_error)) {
      failed.push_back(id);
    }
  }
  return failed;
}

std::optional<TestHistory> DurationStore::test_history(const std::string& test_id) const
{
  const auto found = m_tests.find(test_id);
  return found != m_tests.end() ? std::optional(found->second) : std::nullopt;
}

std::optional<StackHistory> DurationStore::stack_history(const std::string& suite) const
{
  const auto found = m_stacks.find(suite);
  return found != m_stacks.end() ? std::optional(found->second) : std::nullopt;
}

std::optional<Milliseconds> DurationStore::average_of(
  const std::vector<std::string>& test_ids) const
{
  Milliseconds total{0};
  std::int64_t count = 0;
  for (const std::string& id : test_ids) {
    const auto found = m_tests.find(id);
    if (found != m_tests.end() && found->second.duration) {
      total += *found->second.duration;
      ++count;
    }
  }
  return count > 0 ? std::optional(total / count) : std::nullopt;
}

std::optional<Milliseconds> DurationStore::average() const
{
  return m_timed_count > 0 ? std::optional(m_timed_total / m_timed_count) : std::nullopt;
}

void DurationStore::set_test(const std::string& id, const TestHistory& history)
{
  TestHistory& entry = m_tests[id];
  if (entry.duration) {
    m_timed_total -= *entry.duration;
    --m_timed_count;
  }
  entry = history;
  if (entry.duration) {
    m_timed_total += *entry.duration;
    ++m_timed_count;
  }
}

}  // namespace orchestrate
