#include "pool/PoolRecord.hpp"

#include "core/Error.hpp"
#include "core/FileText.hpp"
#include "process/EscapedProcesses.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <fstream>
#include <unistd.h>

namespace orchestrate {

namespace {

using Json = nlohmann::json;

constexpr const char* k_suffix = ".json";

std::filesystem::path record_path(const std::filesystem::path& pool_dir, const std::string& stack)
{
  return pool_dir / (stack + k_suffix);
}

}  // namespace

std::filesystem::path pool_dir(const std::filesystem::path& state_dir,
                               const std::string& environment)
{
  return state_dir / "pool" / environment;
}

std::filesystem::path pool_stack_dir(const std::filesystem::path& pool_dir,
                                     const std::string& stack)
{
  return pool_dir / stack;
}

std::filesystem::path pool_worker_link(const std::filesystem::path& pool_dir,
                                       const std::string& stack)
{
  return pool_stack_dir(pool_dir, stack) / "worker";
}

bool pool_worker_ready(const std::filesystem::path& pool_dir, const std::string& stack) noexcept
{
  std::error_code error;
  // The file ParkedPytestWorker::ready_file() names: the worker writes it once it has collected.
  return std::filesystem::exists(pool_worker_link(pool_dir, stack) / "worker.ready", error);
}

void save_pool_record(const std::filesystem::path& pool_dir, const PoolRecord& record)
{
  const Json json{{"stack", record.stack},       {"shard", record.shard},
                  {"key", record.key.inputs},     {"images", images_to_json(record.images)},
                  {"labels", record.labels},
                  {"created", record.created},   {"returned", record.returned},
                  {"deadline", record.deadline}, {"claims", record.claims},
                  {"clean", record.clean},       {"worker_token", record.worker_token}};
  const auto path = record_path(pool_dir, record.stack);
  const auto temporary = path.string() + "." + std::to_string(::getpid());
  std::error_code error;
  std::filesystem::create_directories(pool_dir, error);
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << json.dump(1);
    if (!out) {
      throw InternalError("cannot write the pool record " + temporary);
    }
  }
  std::filesystem::rename(temporary, path, error);
  if (error) {
    throw InternalError("cannot write the pool record " + path.string() + ": " + error.message());
  }
}

std::optional<PoolRecord> load_pool_record(const std::filesystem::path& pool_dir,
                                           const std::string& stack)
{
  const auto text = read_file_text(record_path(pool_dir, stack));
  if (!text) {
    return std::nullopt;
  }
  try {
    const auto json = Json::parse(*text);
    PoolRecord record;
    record.stack = json.at("stack").get<std::string>();
    record.shard = json.at("shard").get<int>();
    record.key = pool_key_from_json(json.at("key"));
    record.images = images_from_json(json.at("images"));
    record.labels = json.at("labels").get<std::map<std::string, std::string>>();
    record.created = json.at("created").get<long long>();
    record.returned = json.at("returned").get<long long>();
    record.deadline = json.at("deadline").get<long long>();
    record.claims = json.at("claims").get<int>();
    record.clean = json.value("clean", false);
    record.worker_token = json.value("worker_token", std::string());
    if (record.stack != stack) {
      return std::nullopt;  // a file renamed by hand describes another stack
    }
    return record;
  } catch (const std::exception& error) {
    spdlog::debug("ignoring the unreadable pool record of {}: {}", stack, error.what());
    return std::nullopt;
  }
}

std::vector<std::string> list_pool_records(const std::filesystem::path& pool_dir)
{
  std::vector<std::string> stacks;
  std::error_code error;
  for (std::filesystem::directory_iterator entry(pool_dir, error), end; !error && entry != end;
       entry.increment(error)) {
    const auto& path = entry->path();
    if (entry->is_regular_file(error) && path.extension() == k_suffix) {
      stacks.push_back(path.stem().string());
    }
  }
  std::sort(stacks.begin(), stacks.end());
  return stacks;
}

void end_warm_worker(const std::filesystem::path& pool_dir, const std::string& stack) noexcept
{
  std::set<std::string> tokens;
  if (const auto record = load_pool_record(pool_dir, stack); record && !record->worker_token.empty()) {
    tokens.insert(record->worker_token);
  }
  // One a run parked and had not handed to the pool yet when it was killed: only its folder
  // knows it (ParkedPytestWorker's parked.json).
  if (const auto parked = read_file_text(pool_worker_link(pool_dir, stack) / "parked.json")) {
    const auto json = Json::parse(*parked, nullptr, false);
    if (json.is_object() && json.contains("escape_token") && json["escape_token"].is_string()) {
      tokens.insert(json["escape_token"].get<std::string>());
    }
  }
  for (const auto& token : tokens) {
    if (!token.empty()) {
      end_processes_with_token(token);
    }
  }
}

void remove_pool_record(const std::filesystem::path& pool_dir, const std::string& stack) noexcept
{
  // Its warm worker would otherwise wait for a run until the deadline it was given.
  end_warm_worker(pool_dir, stack);
  std::error_code error;
  std::filesystem::remove(record_path(pool_dir, stack), error);
  std::filesystem::remove_all(pool_stack_dir(pool_dir, stack), error);
}

}  // namespace orchestrate
