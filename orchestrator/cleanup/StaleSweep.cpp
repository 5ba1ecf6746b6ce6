#include "cleanup/StaleSweep.hpp"

#include "docker/ResourceLabels.hpp"

#include <spdlog/spdlog.h>

namespace orchestrate {

namespace {

std::vector<std::string> sweep_filters(const SweepOptions& options)
{
  std::vector<std::string> filters{label_filter(labels::k_managed, "true"),
                                   label_filter(labels::k_environment, options.environment)};
  if (!options.project_prefix.empty()) {
    filters.push_back(label_filter(labels::k_project, options.project_prefix));
  }
  return filters;
}

// Judges each listed resource and removes the stale ones, appending them to `swept`.
template <typename Resource, typename NameOf, typename Remove>
void sweep_kind(const char* kind, const std::vector<Resource>& resources,
                const SweepOptions& options, NameOf name_of, Remove remove,
                std::vector<SweptResource>& swept)
{
  const auto now = std::chrono::system_clock::now();
  for (const auto& resource : resources) {
    // The engine already filtered by label; judging again keeps every decision in one place.
    const auto verdict = judge_resource(resource.labels, now, options);
    const auto name = name_of(resource);
    if (!verdict.remove) {
      spdlog::debug("sweep: keeping {} {}: {}", kind, name, verdict.reason);
      continue;
    }
    SweptResource entry{kind, name, verdict.reason, false};
    if (!options.dry_run) {
      try {
        entry.removed = remove(resource);
      } catch (const std::exception& error) {
        // One refused removal must not stop the sweep: the entry says it is still there.
        spdlog::warn("sweep: cannot remove {} {}: {}", kind, name, error.what());
      }
      spdlog::debug("sweep: {} {} {}: {}", entry.removed ? "removed" : "could not remove", kind,
                    name, verdict.reason);
    }
    swept.push_back(std::move(entry));
  }
}

}  // namespace

std::vector<SweptResource> sweep_stale_resources(DockerEngine& engine, const SweepOptions& options)
{
  const auto filters = sweep_filters(options);
  std::vector<SweptResource> swept;
  sweep_kind(
    "container", engine.list_containers(filters), options,
    [](const ContainerSummary& container) { return container.name; },
    [&](const ContainerSummary& container) { return engine.remove_container(container.id); },
    swept);
  sweep_kind(
    "network", engine.list_networks(filters), options,
    [](const NetworkSummary& network) { return network.name; },
    [&](const NetworkSummary& network) { return engine.remove_network(network.id); }, swept);
  sweep_kind(
    "volume", engine.list_volumes(filters), options,
    [](const VolumeSummary& volume) { return volume.name; },
    [&](const VolumeSummary& volume) { return engine.remove_volume(volume.name); }, swept);
  return swept;
}

}  // namespace orchestrate
