#include "selection/DurationStore.hpp"

#include "core/Error.hpp"
#include "core/FileText.hpp"
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
  return history;
}

Json stack_to_json(const StackHistory& history)
{
  Json json{{"runs", history.runs}};
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
    : m_fd(::open((file.string() + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644))
  {
    if (!m_fd) {
      spdlog::warn("durations: cannot open {}.lock ({}); saving without it", file.string(),
                   std::strerror(errno));
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

}  // namespace

DurationStore DurationStore::load(const std::filesystem::path& file)
{
  DurationStore store;
  std::error_code error;
  if (!std::filesystem::exists(file, error)) {
    return store;
  }
  try {
    const Json json = Json::parse(read_text(file));
    const int version = json.at("version").get<int>();
    if (version != k_format_version) {
      throw std::invalid_argument("unknown version " + std::to_string(version));
    }
    for (const auto& [id, entry] : json.at("tests").items()) {
      store.set_test(id, test_from_json(entry));
    }
    for (const auto& [suite, entry] : json.at("stacks").items()) {
      store.m_stacks[suite] = stack_from_json(entry);
    }
  } catch (const std::exception& failure) {
    // nlohmann's messages name the key or the byte offset, which is enough to find the fault.
    spdlog::warn("durations: ignoring {}: {}; planning without recorded durations", file.string(),
                 failure.what());
    return DurationStore();
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
  DurationStore merged = load(file);
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
  Json stacks = Json::object();
  for (const auto& [suite, history] : merged.m_stacks) {
    stacks[suite] = stack_to_json(history);
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
