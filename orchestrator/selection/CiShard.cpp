#include "selection/CiShard.hpp"

#include "core/Error.hpp"
#include "scheduling/ShardPlan.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <unordered_map>

namespace orchestrate {

namespace {

constexpr const char* k_shard_usage = "--shard: expected I/N with 1 <= I <= N (e.g. 3/8) or 'ci'";

// A whole decimal number and nothing else (no sign, no spaces).
std::optional<int> parse_count(const std::string& text)
{
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text.front() == '-' || error != std::errc() ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// One pair of CI variables, e.g. CIRCLE_NODE_INDEX / CIRCLE_NODE_TOTAL.
struct VariablePair
{
  const char* index_name;
  const char* total_name;
  int first_index;  // what the CI calls its first machine: 0 or 1
  const char* base_note = "";  // why it counts from there, when that depends on the CI
};

int variable_value(const char* name, const std::string& value)
{
  const auto parsed = parse_count(value);
  if (!parsed) {
    throw UsageError(std::string(name) + "='" + value + "' is not a whole number");
  }
  return *parsed;
}

std::optional<CiShard> shard_from_pair(const VariablePair& pair, const EnvironmentLookup& lookup)
{
  const auto index_text = lookup(pair.index_name);
  const auto total_text = lookup(pair.total_name);
  if (!index_text && !total_text) {
    return std::nullopt;
  }
  if (!index_text) {
    // GitLab sets CI_NODE_TOTAL=1 on every job without `parallel:`.
    if (variable_value(pair.total_name, *total_text) == 1) {
      return std::nullopt;
    }
    throw UsageError(std::string(pair.total_name) + "=" + *total_text + " is set but " +
                     pair.index_name + " is not");
  }
  if (!total_text) {
    throw UsageError(std::string(pair.index_name) + "=" + *index_text + " is set but " +
                     pair.total_name + " is not");
  }
  const int index = variable_value(pair.index_name, *index_text);
  const int total = variable_value(pair.total_name, *total_text);
  const int last_index = total - 1 + pair.first_index;
  if (total < 1 || index < pair.first_index || index > last_index) {
    throw UsageError(std::string(pair.index_name) + "=" + *index_text + " is out of range for " +
                     pair.total_name + "=" + *total_text + " (expected " +
                     std::to_string(pair.first_index) + ".." + std::to_string(last_index) +
                     "; " + pair.index_name + " counts from " + std::to_string(pair.first_index) +
                     pair.base_note + ")");
  }
  return CiShard{index - pair.first_index + 1, total};
}

std::uint64_t fnv1a(std::uint64_t hash, const std::string& text)
{
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

EnvironmentLookup process_environment()
{
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
  };
}

CiShard parse_ci_shard(const std::string& text)
{
  const std::size_t slash = text.find('/');
  if (slash != std::string::npos) {
    const auto index = parse_count(text.substr(0, slash));
    const auto total = parse_count(text.substr(slash + 1));
    if (index && total && *index >= 1 && *index <= *total) {
      return CiShard{*index, *total};
    }
  }
  throw UsageError(std::string(k_shard_usage) + ", got '" + text + "'");
}

std::optional<CiShard> ci_shard_from_environment(const EnvironmentLookup& lookup)
{
  const int ci_first_index = lookup("GITLAB_CI") ? 1 : 0;
  const char* ci_note = ci_first_index == 1 ? " under GitLab" : " outside GitLab";
  for (const VariablePair& pair : {VariablePair{"CI_NODE_INDEX", "CI_NODE_TOTAL", ci_first_index,
                                                ci_note},
                                   VariablePair{"CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0},
                                   VariablePair{"BUILDKITE_PARALLEL_JOB",
                                                "BUILDKITE_PARALLEL_JOB_COUNT", 0},
                                   VariablePair{"TEST_SHARD_INDEX", "TEST_TOTAL_SHARDS", 0}}) {
    if (auto shard = shard_from_pair(pair, lookup)) {
      return shard;
    }
  }
  return std::nullopt;
}

std::optional<CiShard> resolve_ci_shard(const std::optional<std::string>& option,
                                        const EnvironmentLookup& lookup)
{
  if (!option) {
    return std::nullopt;
  }
  if (*option != "ci") {
    return parse_ci_shard(*option);
  }
  auto shard = ci_shard_from_environment(lookup);
  if (!shard) {
    throw UsageError("--shard ci: none of CI_NODE_INDEX/CI_NODE_TOTAL (GitLab), "
                     "CIRCLE_NODE_INDEX/CIRCLE_NODE_TOTAL (CircleCI), "
                     "BUILDKITE_PARALLEL_JOB/BUILDKITE_PARALLEL_JOB_COUNT (Buildkite) or "
                     "TEST_SHARD_INDEX/TEST_TOTAL_SHARDS (Bazel) is set");
  }
  return shard;
}

bool touch_shard_status_file(const EnvironmentLookup& lookup)
{
  const auto path = lookup("TEST_SHARD_STATUS_FILE");
  if (!path || path->empty()) {
    return false;
  }
  // Opening for append creates the file and changes nothing in one that exists; the close
  // updates its time only when written, which Bazel does not look at: it checks existence.
  std::ofstream file(*path, std::ios::app);
  if (!file) {
    throw UsageError("TEST_SHARD_STATUS_FILE=" + *path + ": cannot create the file");
  }
  return true;
}

std::vector<TestCase> select_ci_shard(const std::vector<TestCase>& tests, int index, int total)
{
  if (total < 1 || index < 1 || index > total) {
    throw UsageError(std::string(k_shard_usage) + ", got '" + std::to_string(index) + "/" +
                     std::to_string(total) + "'");
  }
  // A canonical order first, so every machine computes the same split whatever order its
  // runner collected in.
  std::vector<TestCase> canonical = tests;
  std::sort(canonical.begin(), canonical.end(), [](const TestCase& a, const TestCase& b) {
    return a.expected != b.expected ? a.expected > b.expected : a.id < b.id;
  });
  const std::vector<TestBatch> plan = plan_balanced_shards(canonical, total);

  // Back to the caller's order; counted by id so that repeated ids stay repeated.
  std::unordered_map<std::string, int> wanted;
  for (const TestCase& test : plan[static_cast<std::size_t>(index - 1)]) {
    ++wanted[test.id];
  }
  std::vector<TestCase> selected;
  for (const TestCase& test : tests) {
    auto found = wanted.find(test.id);
    if (found != wanted.end() && found->second > 0) {
      --found->second;
      selected.push_back(test);
    }
  }
  return selected;
}

std::string ci_shard_fingerprint(const std::vector<TestCase>& tests)
{
  std::vector<std::string> entries;
  entries.reserve(tests.size());
  for (const TestCase& test : tests) {
    entries.push_back(test.id + '\n' + std::to_string(test.expected.count()) + '\n');
  }
  std::sort(entries.begin(), entries.end());
  std::uint64_t hash = 14695981039346656037ull;
  for (const std::string& entry : entries) {
    hash = fnv1a(hash, entry);
  }
  char digits[17];
  std::snprintf(digits, sizeof(digits), "%016llx", static_cast<unsigned long long>(hash));
  return digits;
}

}  // namespace orchestrate
