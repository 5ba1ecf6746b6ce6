#include "resources/PreflightChecks.hpp"

#include "core/Quantities.hpp"
#include "docker/DockerEngine.hpp"

#include <cctype>
#include <charconv>

namespace orchestrate {

namespace {

PreflightCheck make_check(std::string name,
                          std::string measured,
                          CheckVerdict verdict = CheckVerdict::k_pass,
                          std::string message = "")
{
  return PreflightCheck{std::move(name), std::move(measured), verdict, std::move(message)};
}

std::string trimmed(std::string_view text)
{
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return "";
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// The first line of a command's output, for a one-line measured value.
std::string first_line(std::string_view text)
{
  const std::string all = trimmed(text);
  return all.substr(0, all.find('\n'));
}

constexpr const char* k_install_compose =
  "install the compose v2 CLI plugin (`docker compose`); on Debian 12 `scripts/install-compose` "
  "in the orchestrate repository installs v2.26 (the docker-compose 1.x package is not enough)";

}  // namespace

const char* to_string(CheckVerdict verdict)
{
  switch (verdict) {
    case CheckVerdict::k_pass:
      return "PASS";
    case CheckVerdict::k_warn:
      return "WARN";
    case CheckVerdict::k_fail:
      return "FAIL";
    case CheckVerdict::k_skipped:
      return "SKIP";
  }
  return "?";
}

PreflightCheck judge_engine(const std::string& socket_path,
                            const std::optional<std::string>& api_version)
{
  if (!api_version) {
    return make_check("engine", "no answer at " + socket_path, CheckVerdict::k_fail,
                      engine_unavailable_message(socket_path));
  }
  return make_check("engine", "API " + *api_version + " at " + socket_path);
}

std::optional<int> compose_major_version(std::string_view short_version)
{
  std::string text = trimmed(short_version);
  if (text.starts_with('v')) {
    text.erase(0, 1);
  }
  int major = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), major);
  // A version has a dot after the major number: "2.26.1", never a bare "2" or "docker: ...".
  if (error != std::errc() || end == text.data() || end == text.data() + text.size() ||
      *end != '.') {
    return std::nullopt;
  }
  return major;
}

PreflightCheck judge_compose(const std::optional<CommandOutput>& result)
{
  if (!result) {
    return make_check("compose", "`docker` not found", CheckVerdict::k_fail,
                      std::string("compose v2 is needed, but the `docker` CLI cannot be started: ") +
                        "install it (Debian: `apt-get install docker.io`), then " +
                        k_install_compose);
  }
  const std::string output = first_line(result->output);
  const std::optional<int> major =
    result->exit.succeeded() ? compose_major_version(output) : std::nullopt;
  if (!major) {
    return make_check("compose", output.empty() ? "no version" : output, CheckVerdict::k_fail,
                      "compose v2 is needed, but `docker compose version --short` " +
                        (result->exit.succeeded() ? "printed '" + output + "'"
                                                  : "failed: " + output) +
                        ": " + k_install_compose);
  }
  if (*major < 2) {
    return make_check("compose", output, CheckVerdict::k_fail,
                      "compose v2 is needed, but `docker compose` is version " + output + ": " +
                        k_install_compose);
  }
  return make_check("compose", output);
}

PreflightCheck judge_memory(std::optional<std::uint64_t> mem_available, std::uint64_t budget_bytes)
{
  if (budget_bytes == 0) {
    return make_check("memory", "no memory budget", CheckVerdict::k_skipped);
  }
  if (!mem_available) {
    return make_check("memory", "MemAvailable unknown", CheckVerdict::k_warn,
                      "cannot read MemAvailable from /proc/meminfo, so the memory budget of " +
                        format_bytes(budget_bytes) + " is not checked against the host");
  }
  const std::string measured = "MemAvailable " + format_bytes(*mem_available) + ", budget " +
                               format_bytes(budget_bytes);
  if (*mem_available < budget_bytes) {
    return make_check("memory", measured, CheckVerdict::k_fail,
                      "the host has " + format_bytes(*mem_available) + " available (MemAvailable, " +
                        std::to_string(*mem_available) + " bytes), less than the memory budget of " +
                        format_bytes(budget_bytes) + " (" + std::to_string(budget_bytes) +
                        " bytes): lower it with --memory-budget (memory_budget in " +
                        "orchestrate.yaml), or free memory");
  }
  return make_check("memory", measured);
}

PreflightCheck judge_disk(const std::string& root_dir,
                          std::optional<std::uint64_t> free_bytes,
                          std::uint64_t minimum_bytes)
{
  if (!free_bytes) {
    return make_check("disk", "Docker data root " + root_dir + " is not on this host",
                      CheckVerdict::k_skipped);
  }
  const std::string measured = format_bytes(*free_bytes) + " free under " + root_dir;
  if (*free_bytes < minimum_bytes) {
    return make_check("disk", measured, CheckVerdict::k_fail,
                      "only " + format_bytes(*free_bytes) + " free under " + root_dir +
                        " (Docker's data root), less than the " + format_bytes(minimum_bytes) +
                        " stacks need: free disk space there");
  }
  return make_check("disk", measured);
}

PreflightCheck judge_existing_containers(std::size_t managed,
                                         std::size_t of_project,
                                         const std::string& project_prefix,
                                         std::size_t warning_threshold)
{
  const std::string measured = std::to_string(managed) + " containers of orchestrate (" +
                               std::to_string(of_project) + " of project " + project_prefix + ")";
  if (managed > warning_threshold) {
    return make_check("containers", measured, CheckVerdict::k_warn,
                      std::to_string(managed) + " containers made by orchestrate already exist (" +
                        std::to_string(of_project) + " of project " + project_prefix +
                        "), more than " + std::to_string(warning_threshold) +
                        ": `orchestrate cleanup` removes those whose owner is gone");
  }
  return make_check("containers", measured);
}

}  // namespace orchestrate
