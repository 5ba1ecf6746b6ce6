#pragma once

#include "process/ChildProcess.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orchestrate {

// The verdicts of preflight checks, as pure functions of what was measured, so that every verdict
// and every message can be tested without breaking the machine. Preflight.hpp measures.

enum class CheckVerdict { k_pass, k_warn, k_fail, k_skipped };

// "PASS", "WARN", "FAIL", "SKIP".
const char* to_string(CheckVerdict verdict);

// One named check: what was measured and what we make of it.
struct PreflightCheck
{
  std::string name;      // "engine", "compose", "memory", "disk", "containers"
  std::string measured;  // e.g. "MemAvailable 22.8 GiB, budget 4.0 GiB"
  CheckVerdict verdict = CheckVerdict::k_pass;
  std::string message;   // for WARN and FAIL: what is wrong and how to fix it; empty otherwise
};

// `api_version` is the negotiated API version, nullopt when the engine did not answer: then FAIL
// with engine_unavailable_message(socket_path), which says how to start an engine.
PreflightCheck judge_engine(const std::string& socket_path,
                            const std::optional<std::string>& api_version);

// The major version in `docker compose version --short` output ("2.26.1-4", "v2.29.0"); nullopt
// when the text is not a version.
std::optional<int> compose_major_version(std::string_view short_version);

// `result` is what `docker compose version --short` gave, nullopt when `docker` could not be
// started. PASS for major version 2 or later; otherwise FAIL saying how to install compose v2
// (scripts/install-compose).
PreflightCheck judge_compose(const std::optional<CommandOutput>& result);

// FAIL when MemAvailable is below the budget, with both numbers and the hint --memory-budget.
// SKIP for a budget of 0; WARN when MemAvailable could not be read.
PreflightCheck judge_memory(std::optional<std::uint64_t> mem_available,
                            std::uint64_t budget_bytes);

// FAIL when less than `minimum_bytes` is free under Docker's data root `root_dir`. SKIP when
// `free_bytes` is nullopt (the data root is not on this host: a remote engine).
PreflightCheck judge_disk(const std::string& root_dir,
                          std::optional<std::uint64_t> free_bytes,
                          std::uint64_t minimum_bytes);

// Reports how many containers labelled io.orchestrate.managed=true exist (`of_project` of them
// with our project prefix). WARN when `managed` exceeds `warning_threshold`; never FAIL.
PreflightCheck judge_existing_containers(std::size_t managed,
                                         std::size_t of_project,
                                         const std::string& project_prefix,
                                         std::size_t warning_threshold);

}  // namespace orchestrate
