#pragma once

#include "docker/ComposeCli.hpp"
#include "docker/ComposeModel.hpp"
#include "docker/DockerEngine.hpp"
#include "docker/OverrideFile.hpp"
#include "docker/ReadinessGate.hpp"
#include "docker/ResourceLabels.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// Everything needed to bring one stack up and take it down again.
struct StackSpec
{
  StackOwnership ownership;                       // ownership.stack is the compose project name
  std::vector<std::filesystem::path> compose_files;  // the user's files, in -f order
  std::filesystem::path work_dir;                 // override file and compose log go here
  ComposeModel model;                             // resolved once per run, shared by all shards
  PublishedPorts published_ports;                 // container ports published on loopback
  Milliseconds up_timeout{120'000};
  Milliseconds stop_timeout{0};                   // grace period; 0: forced removal at once
};

// What teardown did, for the report and the log.
struct TeardownReport
{
  Milliseconds duration{0};
  // What the removal by label removed: the whole stack without a grace period, else what `down`
  // left behind.
  std::vector<std::string> removed_leftovers;
  std::vector<std::string> failed_removals;     // resources we could not remove (logged)
};

// One compose project with a unique name, labelled as ours, owned by this object: the destructor
// tears it down on every path (normal end, test failure, exception, interrupt). Teardown is a
// forced removal over the Engine API of everything carrying the stack's label, containers in
// parallel (no compose process, no wait for a PID 1 that ignores SIGTERM). With a stop grace
// period it is `down -v --remove-orphans -t <grace>` first, with its own time bound, and the
// removal by label then catches whatever `down` left.
class ComposeStack
{
public:
  // Writes the labelling override file; starts nothing.
  ComposeStack(StackSpec spec, DockerEngine& engine);
  ~ComposeStack();

  ComposeStack(const ComposeStack&) = delete;
  ComposeStack& operator=(const ComposeStack&) = delete;

  const std::string& project_name() const;

  // `up -d --no-build` (no --wait: readiness is judged by wait_ready). Throws InternalError with
  // compose's output when up fails, Error(k_interrupted) on Ctrl-C.
  void up();

  // Runs the model's one-shot services that no fixture names (migrations, seeds) again: `up -d
  // --no-build --force-recreate --no-deps <them>`, after a warm stack's reset wiped what they
  // made. The fixtures must be ready first (their dependencies are not waited for here);
  // wait_ready() then waits for them to complete. Does nothing when there are none. Throws as up().
  void rerun_one_shots(const std::vector<FixtureConfig>& fixtures);

  // Gates on the fixtures' readiness and on the completion of the model's one-shot services that
  // no fixture names, then checks that each fixture's host port is wired to this stack
  // (verify_port_wiring); returns each fixture's endpoint by fixture name.
  // Throws StackNotReadyError with the service's logs, or with the port bindings seen.
  std::map<std::string, ReadyEndpoint> wait_ready(const std::vector<FixtureConfig>& fixtures,
                                                  Milliseconds timeout);

  // Each fixture's endpoint as published right now (one container listing), before readiness is
  // judged; nullopt when some fixture's container publishes no port yet. Throws what the engine
  // throws.
  std::optional<std::map<std::string, ReadyEndpoint>> published_endpoints(
    const std::vector<FixtureConfig>& fixtures);

  // The fixtures' services that cannot serve tests any more: container gone, not running, or
  // (for fixtures gated on health) not healthy. Each entry is "service: why". One API call.
  std::vector<std::string> broken_services(const std::vector<FixtureConfig>& fixtures);

  // Tears the stack down now (idempotent; the destructor calls it). Never throws; bounded in time.
  // After a second Ctrl-C it skips the stop grace period.
  TeardownReport tear_down() noexcept;

  // Leaves the stack running when this object is destroyed (--keep-on-failure).
  void keep();

private:
  // The model's one-shot services that no fixture names.
  std::vector<std::string> one_shot_services(const std::vector<FixtureConfig>& fixtures) const;

  StackSpec m_spec;
  DockerEngine& m_engine;
  ComposeCli m_cli;
  bool m_up_attempted = false;
  bool m_torn_down = false;
  bool m_kept = false;
};

// Removes every container, then network, then volume matching all `label_filters`, through the
// Engine API. Returns a description of each thing removed, and appends those it could not remove
// to `failures`. Never throws.
std::vector<std::string> remove_labelled_resources(DockerEngine& engine,
                                                   const std::vector<std::string>& label_filters,
                                                   std::vector<std::string>& failures);

}  // namespace orchestrate
