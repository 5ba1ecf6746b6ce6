#include "resources/Preflight.hpp"

#include "resources/ComposeVersionCache.hpp"

#include "core/Error.hpp"
#include "docker/ResourceLabels.hpp"

#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <memory>
#include <optional>

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

// `docker compose version` answers in ~70 ms; this only bounds a hung plugin.
constexpr Milliseconds k_compose_timeout{10'000};
constexpr Milliseconds k_ping_timeout{2'000};

// Starts `docker compose version --short` so that it runs while other checks go on. nullptr
// when `docker` cannot be started.
std::unique_ptr<ChildProcess> start_compose_probe()
{
  ProcessOptions options;
  options.argv = {"docker", "compose", "version", "--short"};
  options.capture_output = true;
  try {
    return std::make_unique<ChildProcess>(options);
  } catch (const Error& error) {
    spdlog::debug("preflight: cannot start docker: {}", error.what());
    return nullptr;
  }
}

std::optional<CommandOutput> finish_compose_probe(std::unique_ptr<ChildProcess> probe)
{
  if (!probe) {
    return std::nullopt;
  }
  CommandOutput result;
  // Not stopped by Ctrl-C: it ends within ~100 ms anyway, and a killed probe would read as
  // "compose is missing".
  result.exit = probe->wait(k_compose_timeout, false);
  result.output = probe->output();
  return result;
}

// Bytes an unprivileged writer may still use on the file system holding `path`; nullopt when the
// path is not on this host.
std::optional<std::uint64_t> free_disk_bytes(const std::string& path)
{
  struct statvfs stats{};
  if (::statvfs(path.c_str(), &stats) != 0) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(stats.f_bavail) * stats.f_frsize;
}

PreflightCheck skipped(const std::string& name, const std::string& why)
{
  return PreflightCheck{name, why, CheckVerdict::k_skipped, ""};
}

PreflightCheck failed(const std::string& name, const Error& error)
{
  return PreflightCheck{name, "error", CheckVerdict::k_fail, error.what()};
}

PreflightCheck check_disk(DockerEngine& engine, const PreflightOptions& options)
{
  try {
    const std::string root = engine.docker_root_dir();
    return judge_disk(root, free_disk_bytes(root), options.min_free_disk_bytes);
  } catch (const Error& error) {
    return failed("disk", error);
  }
}

PreflightCheck check_existing_containers(DockerEngine& engine, const PreflightOptions& options)
{
  try {
    const std::vector<ContainerSummary> ours =
      engine.list_containers({label_filter(labels::k_managed, "true")});
    std::size_t of_project = 0;
    for (const ContainerSummary& container : ours) {
      const auto project = container.labels.find(labels::k_project);
      if (project != container.labels.end() && project->second == options.project_prefix) {
        ++of_project;
      }
    }
    return judge_existing_containers(ours.size(), of_project, options.project_prefix,
                                     options.existing_containers_warning);
  } catch (const Error& error) {
    return failed("containers", error);
  }
}

std::optional<std::string> answering_api_version(DockerEngine& engine)
{
  if (!engine.ping(k_ping_timeout)) {
    return std::nullopt;
  }
  try {
    return engine.api_version();
  } catch (const Error& error) {
    spdlog::debug("preflight: engine answered ping, then: {}", error.what());
    return std::nullopt;
  }
}

}  // namespace

struct LatePreflight::Running
{
  std::unique_ptr<ChildProcess> compose;  // null when not needed or `docker` could not start
  bool needs_compose = false;
  std::optional<std::string> cached_compose_version;  // the probe is skipped when known
  std::filesystem::path compose_version_cache;
  std::string compose_fingerprint;
  std::future<std::pair<PreflightCheck, PreflightCheck>> engine_checks;  // disk, containers
};

LatePreflight::LatePreflight() : m_running(std::make_unique<Running>())
{
}

LatePreflight::~LatePreflight() = default;
LatePreflight::LatePreflight(LatePreflight&&) noexcept = default;
LatePreflight& LatePreflight::operator=(LatePreflight&&) noexcept = default;

LatePreflight LatePreflight::start(const DockerEngine& engine, const PreflightOptions& options)
{
  LatePreflight late;
  auto& running = *late.m_running;
  running.needs_compose = options.needs_compose;
  if (options.needs_compose && !options.compose_version_cache.empty()) {
    running.compose_version_cache = options.compose_version_cache;
    running.compose_fingerprint = compose_binaries_fingerprint();
    running.cached_compose_version =
      cached_compose_version(options.compose_version_cache, running.compose_fingerprint);
  }
  if (options.needs_compose && !running.cached_compose_version) {
    running.compose = start_compose_probe();
  }
  // A copy of the engine for the thread (copies share the negotiated API version).
  late.m_running->engine_checks =
    std::async(std::launch::async, [engine = DockerEngine(engine), options]() mutable {
      if (!answering_api_version(engine)) {
        return std::pair(skipped("disk", "engine does not answer"),
                         skipped("containers", "engine does not answer"));
      }
      return std::pair(check_disk(engine, options), check_existing_containers(engine, options));
    });
  return late;
}

std::vector<PreflightCheck> LatePreflight::finish()
{
  std::vector<PreflightCheck> checks;
  auto& running = *m_running;
  if (running.needs_compose && running.cached_compose_version) {
    checks.push_back(judge_compose(CommandOutput{ProcessExit{}, *running.cached_compose_version}));
  } else if (running.needs_compose) {
    auto probed = finish_compose_probe(std::move(running.compose));
    checks.push_back(judge_compose(probed));
    if (checks.back().verdict == CheckVerdict::k_pass && !running.compose_version_cache.empty()) {
      remember_compose_version(running.compose_version_cache, running.compose_fingerprint,
                               probed->output);
    }
  }
  auto [disk, containers] = m_running->engine_checks.get();
  checks.push_back(std::move(disk));
  checks.push_back(std::move(containers));
  return checks;
}

std::vector<std::string> require_late_preflight(LatePreflight& late)
{
  PreflightReport report;
  report.checks = late.finish();
  for (const PreflightCheck& check : report.checks) {
    spdlog::debug("preflight: {} {}: {}", to_string(check.verdict), check.name, check.measured);
  }
  if (!report.passed()) {
    throw EnvironmentError(report.failure_message());
  }
  return report.warnings();
}

bool PreflightReport::passed() const
{
  for (const PreflightCheck& check : checks) {
    if (check.verdict == CheckVerdict::k_fail) {
      return false;
    }
  }
  return true;
}

const PreflightCheck* PreflightReport::find(const std::string& name) const
{
  for (const PreflightCheck& check : checks) {
    if (check.name == name) {
      return &check;
    }
  }
  return nullptr;
}

std::vector<std::string> PreflightReport::warnings() const
{
  std::vector<std::string> messages;
  for (const PreflightCheck& check : checks) {
    if (check.verdict == CheckVerdict::k_warn) {
      messages.push_back(check.message);
    }
  }
  return messages;
}

std::string PreflightReport::failure_message() const
{
  std::string message;
  for (const PreflightCheck& check : checks) {
    if (check.verdict == CheckVerdict::k_fail) {
      message += (message.empty() ? "" : "\n") + check.message;
    }
  }
  return message;
}

PreflightReport check_preflight(DockerEngine& engine, const PreflightOptions& options)
{
  const auto start = Clock::now();
  // Started first, so that compose and /info answer while we ping the engine.
  std::optional<LatePreflight> late;
  if (!options.engine_and_memory_only) {
    late = LatePreflight::start(engine, options);
  }
  const std::optional<std::string> api_version = answering_api_version(engine);

  PreflightReport report;
  report.checks.push_back(judge_engine(engine.socket_path(), api_version));
  auto late_checks = late ? late->finish() : std::vector<PreflightCheck>();
  const auto disk_and_containers = late_checks.end() - std::min<std::ptrdiff_t>(2, late_checks.size());
  report.checks.insert(report.checks.end(), late_checks.begin(), disk_and_containers);  // compose
  report.checks.push_back(
    judge_memory(read_mem_available(options.meminfo_path), options.memory_budget_bytes));
  report.checks.insert(report.checks.end(), disk_and_containers, late_checks.end());

  report.duration = std::chrono::duration_cast<Milliseconds>(Clock::now() - start);
  for (const PreflightCheck& check : report.checks) {
    spdlog::debug("preflight: {} {}: {}", to_string(check.verdict), check.name, check.measured);
  }
  spdlog::debug("preflight took {} ms", report.duration.count());
  return report;
}

PreflightReport run_preflight(DockerEngine& engine, const PreflightOptions& options)
{
  PreflightReport report = check_preflight(engine, options);
  if (!report.passed()) {
    throw EnvironmentError(report.failure_message());
  }
  return report;
}

}  // namespace orchestrate
