#include "runners/ParkedPytestWorker.hpp"

#include "core/Error.hpp"
#include "core/FileText.hpp"
#include "core/OwnedFile.hpp"
#include "process/DetachedSpawn.hpp"
#include "process/EscapedProcesses.hpp"
#include "process/LineSocket.hpp"
#include "runners/PytestProgressPlugin.hpp"
#include "runners/PytestWorkerPlugin.hpp"

#include "process/ProcStat.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <cstdio>
#include <random>

extern char** environ;

namespace orchestrate {

namespace {

using Json = nlohmann::json;

// Ours, with `environment` over it: what a ChildProcess with these extra variables would get.
std::vector<std::string> full_environment(const std::map<std::string, std::string>& environment)
{
  std::map<std::string, std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals != std::string_view::npos) {
      merged.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
    }
  }
  for (const auto& [name, value] : environment) {
    merged[name] = value;
  }
  std::vector<std::string> entries;
  for (const auto& [name, value] : merged) {
    entries.push_back(name + "=" + value);
  }
  return entries;
}

// A unix socket listening at `path` (replacing what is there), for the worker to inherit.
Fd listen_at(const std::filesystem::path& path)
{
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  const UnixSocketAddress address(path);
  Fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener || ::bind(listener.get(), address.get(), address.size()) != 0 ||
      ::listen(listener.get(), 4) != 0) {
    throw InternalError("cannot listen on " + path.string() + ": " + std::strerror(errno));
  }
  return listener;
}

std::string random_suffix()
{
  std::random_device device;
  char text[9];
  std::snprintf(text, sizeof text, "%08x", static_cast<unsigned>(device()));
  return text;
}

// Makes `link` (a symlink) name `directory` from now on, atomically, and removes the folders of
// earlier workers but the one it named until now: that one may belong to a worker still running
// for this run (adopted); those before it have ended.
void point_link_at(const std::filesystem::path& link, const std::filesystem::path& directory)
{
  std::error_code error;
  std::filesystem::path current;
  if (std::filesystem::is_symlink(link, error)) {
    current = link.parent_path() / std::filesystem::read_symlink(link, error).filename();
  } else if (std::filesystem::exists(link, error)) {
    std::filesystem::remove_all(link, error);  // a folder written by an older orchestrate
  }
  const std::string prefix = link.filename().string() + "-";
  for (const auto& entry : std::filesystem::directory_iterator(link.parent_path(), error)) {
    const auto name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && entry.path() != directory && entry.path() != current) {
      std::filesystem::remove_all(entry.path(), error);
    }
  }
  const auto temporary = link.parent_path() / (prefix + "link");
  std::filesystem::remove(temporary, error);
  std::filesystem::create_directory_symlink(directory.filename(), temporary);
  std::filesystem::rename(temporary, link);
}

Json to_json(const ParkedPytestWorker& parked)
{
  return Json{{"escape_token", parked.escape_token},
              {"waiter_pid", parked.waiter_pid},
              {"waiter_start_ticks", parked.waiter_start_ticks},
              {"python", parked.options.python},
              {"root", parked.options.root.string()},
              {"args", parked.options.args},
              {"paths", parked.options.paths},
              {"environment", parked.environment}};
}

}  // namespace

const std::set<std::string>& run_specific_variables()
{
  static const std::set<std::string> names{"ORCHESTRATE_RUN_ID", "ORCHESTRATE_SHARD_INDEX",
                                           "ORCHESTRATE_SHARD_COUNT"};
  return names;
}

std::optional<ParkedPytestWorker> park_pytest_worker(const PytestWorkerOptions& options,
                                                     const std::map<std::string, std::string>& environment,
                                                     const std::filesystem::path& link,
                                                     long long idle_until) noexcept
{
  try {
    // A folder of its own: the worker parked before it may still be running for this run
    // (adopted) and writing its exit file into its folder.
    ParkedPytestWorker parked;
    parked.directory = link.parent_path() / (link.filename().string() + "-" + random_suffix());
    parked.options = options;
    parked.environment = environment;
    ProcessOptions lookup;
    lookup.argv = {options.python};
    lookup.extra_environment = environment;
    const auto python = find_program(lookup);
    if (python.empty()) {
      spdlog::debug("no warm worker: {} not found", options.python);
      return std::nullopt;
    }
    const auto& directory = parked.directory;
    std::filesystem::create_directories(directory);
    write_progress_plugin(directory);
    write_worker_plugin(directory);
    parked.escape_token = new_process_token();

    auto variables = environment;
    variables["PYTHONPATH"] = python_path_with(directory, environment);
    // It listens on a socket made here, so that a run that claims the stack while it still
    // starts (imports, collection) can connect at once and wait for it in the backlog.
    Fd listener = listen_at(parked.socket());
    variables["ORCHESTRATE_PYTEST_WORKER_LISTEN_FD"] = "3";
    variables["ORCHESTRATE_PYTEST_WORKER_IDLE_UNTIL"] = std::to_string(idle_until);
    variables["ORCHESTRATE_PYTEST_WORKER_READY_FILE"] = parked.ready_file().string();
    std::string watched;
    for (const auto& name : run_specific_variables()) {
      watched += (watched.empty() ? "" : ",") + name;
    }
    variables["ORCHESTRATE_PYTEST_WORKER_RUN_VARIABLES"] = watched;
    variables[std::string(k_process_token_variable)] = parked.escape_token;

    DetachedSpawn spawn;
    spawn.argv = pytest_worker_argv(options);
    spawn.argv.front() = python.string();
    spawn.environment = full_environment(variables);
    spawn.working_directory = options.root;
    spawn.exit_status_file = parked.exit_status_file();
    Fd log = open_owned_file(directory / "worker.log", O_WRONLY | O_CREAT | O_APPEND,
                             "warm worker log");
    spawn.stdout_fd = log.get();
    spawn.stderr_fd = log.get();
    spawn.passed_fd = listener.get();
    parked.waiter_pid = spawn_detached(spawn);
    const auto stat = read_proc_stat(parked.waiter_pid);
    if (!stat) {
      throw InternalError("the warm worker ended at once (see " +
                          (directory / "worker.log").string() + ")");
    }
    parked.waiter_start_ticks = stat->start_ticks;
    write_file_atomically(directory / "parked.json", to_json(parked).dump(2) + "\n");
    point_link_at(link, directory);
    spdlog::debug("[pid: {}] warm pytest worker parked in {}", parked.waiter_pid,
                  directory.string());
    return parked;
  } catch (const std::exception& error) {
    spdlog::debug("no warm worker beside {}: {}", link.string(), error.what());
    return std::nullopt;
  }
}

std::optional<ParkedPytestWorker> find_parked_worker(const std::filesystem::path& directory) noexcept
{
  try {
    const auto text = read_file_text(directory / "parked.json");
    if (!text) {
      return std::nullopt;
    }
    const Json object = Json::parse(*text);
    ParkedPytestWorker parked;
    // Its own folder, not the link: the next worker parked moves the link while this one may
    // still be running and about to write its exit file.
    parked.directory = std::filesystem::canonical(directory);
    parked.escape_token = object.at("escape_token").get<std::string>();
    parked.waiter_pid = object.at("waiter_pid").get<int>();
    parked.waiter_start_ticks = object.at("waiter_start_ticks").get<std::uint64_t>();
    parked.options.python = object.at("python").get<std::string>();
    parked.options.root = object.at("root").get<std::string>();
    parked.options.args = object.at("args").get<std::vector<std::string>>();
    parked.options.paths = object.at("paths").get<std::vector<std::string>>();
    parked.environment = object.at("environment").get<std::map<std::string, std::string>>();
    return parked;
  } catch (const std::exception& error) {
    spdlog::debug("no usable warm worker in {}: {}", directory.string(), error.what());
    return std::nullopt;
  }
}

std::optional<std::string> parked_worker_difference(const ParkedPytestWorker& parked,
                                                    const PytestWorkerOptions& options,
                                                    const std::map<std::string, std::string>& environment)
{
  if (parked.options.python != options.python) {
    return "the python interpreter";
  }
  if (parked.options.root != options.root) {
    return "the project root";
  }
  if (parked.options.args != options.args) {
    return "the suite's pytest args";
  }
  if (parked.options.paths != options.paths) {
    return "the suite's paths";
  }
  const auto& run_specific = run_specific_variables();
  const auto without_run_specific = [&run_specific](const std::map<std::string, std::string>& all) {
    std::map<std::string, std::string> kept;
    for (const auto& [name, value] : all) {
      if (!run_specific.contains(name)) {
        kept.emplace(name, value);
      }
    }
    return kept;
  };
  const auto had = without_run_specific(parked.environment);
  const auto wants = without_run_specific(environment);
  for (const auto& [name, value] : wants) {
    const auto found = had.find(name);
    if (found == had.end() || found->second != value) {
      return name;
    }
  }
  for (const auto& [name, value] : had) {
    if (!wants.contains(name)) {
      return name;
    }
  }
  return std::nullopt;
}

void stop_parked_worker(const std::string& escape_token) noexcept
{
  if (!escape_token.empty()) {
    end_processes_with_token(escape_token);
  }
}

}  // namespace orchestrate
