#pragma once

#include "core/Quantities.hpp"
#include "docker/DockerEngine.hpp"
#include "resources/MemInfo.hpp"
#include "resources/PreflightChecks.hpp"

#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace orchestrate {

// What preflight checks before a run creates anything.
struct PreflightOptions
{
  // Only the engine and memory checks: the run judges the others later (LatePreflight).
  bool engine_and_memory_only = false;
  std::uint64_t memory_budget_bytes = 0;          // 0: memory not checked
  std::uint64_t min_free_disk_bytes = 2ull << 30;  // under Docker's data root
  bool needs_compose = true;                       // false for runs without stacks
  // Where a passing compose check is kept (ComposeVersionCache); empty: always probe.
  std::filesystem::path compose_version_cache;
  std::string project_prefix;                      // counts this project's containers
  std::size_t existing_containers_warning = 40;    // WARN above this many of our containers
  std::filesystem::path meminfo_path = k_proc_meminfo;
};

// The checks in order: engine, compose (only with needs_compose), memory, disk, containers.
struct PreflightReport
{
  std::vector<PreflightCheck> checks;
  Milliseconds duration{0};

  // True when no check FAILed.
  bool passed() const;
  // The check called `name`, or nullptr.
  const PreflightCheck* find(const std::string& name) const;
  // The messages of the WARN checks, for the caller to print.
  std::vector<std::string> warnings() const;
  // The messages of the FAIL checks, one per line ("" when passed()).
  std::string failure_message() const;
};

// The checks a run may judge after its first stack has started: compose (`docker compose version`,
// 100-250 ms: the docker CLI and the compose plugin, both Go binaries, start one after the other),
// the disk (GET /info, 10-110 ms) and the count of our containers. start() launches them in the
// background; finish() waits for them (each bounded). Move-only.
class LatePreflight
{
public:
  static LatePreflight start(const DockerEngine& engine, const PreflightOptions& options);
  ~LatePreflight();
  LatePreflight(LatePreflight&&) noexcept;
  LatePreflight& operator=(LatePreflight&&) noexcept;

  // The checks in report order: compose (with options.needs_compose), disk, containers. The last
  // two are SKIPped when the engine does not answer. Call once.
  std::vector<PreflightCheck> finish();

private:
  LatePreflight();
  struct Running;
  std::unique_ptr<Running> m_running;
};

// late.finish(), then throws EnvironmentError (exit 7) with every FAIL's message: no compose v2
// (how to install it), too little disk. Returns the WARN messages for the caller to print.
std::vector<std::string> require_late_preflight(LatePreflight& late);

// Measures everything and judges it; never throws (an engine that stops answering midway is a
// FAIL). Checks that need the engine are SKIPped when it does not answer. Fast: one `docker
// compose version --short` spawn, run while the Engine API calls (ping, /info, one container list)
// are made; nothing is cached across calls. For `orchestrate doctor` and `validate`.
PreflightReport check_preflight(DockerEngine& engine, const PreflightOptions& options);

// check_preflight(), then throws EnvironmentError (exit 7) with failure_message() when a check
// FAILed: no engine (how to start one), no compose v2 (how to install it: scripts/install-compose),
// MemAvailable below the budget (both numbers and --memory-budget), too little disk. Returns the
// report otherwise; its warnings() are for the caller to print.
PreflightReport run_preflight(DockerEngine& engine, const PreflightOptions& options);

}  // namespace orchestrate
