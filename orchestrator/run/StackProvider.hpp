#pragma once

#include "core/Quantities.hpp"
#include "docker/ReadinessGate.hpp"
#include "runners/ParkedPytestWorker.hpp"
#include "run/ServiceDeath.hpp"
#include "run/StartSlots.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// One shard's stack as its shard session uses it, whoever provides it: a new compose project
// (FreshStackProvider), a warm one claimed from a pool, one placed on another engine. The session
// owns it; destroying it releases it (tears it down, or returns it to its pool), and so does
// release().
class ShardStack
{
public:
  virtual ~ShardStack() = default;

  // Its name (the compose project), for messages, the report and COMPOSE_PROJECT_NAME.
  virtual const std::string& name() const = 0;

  // Waits for a start slot of its engine (StartSlots.hpp) and returns it; the shard session holds
  // it while up() and wait_ready() run. A stack that is cheap to start needs none and returns an
  // empty slot: so does a warm stack of the pool (PooledStackProvider), whose up() only resets
  // its services' data (under half a second, its containers long started) and whose pytest worker
  // starts before up() to import the tests meanwhile: waiting behind other stacks' starts would
  // only delay it. Throws InterruptedError on a stop while waiting.
  virtual StartSlot take_start_slot()
  {
    return StartSlot();
  }

  // Brings it up: containers started, ports published, readiness not judged yet. Throws (having
  // left what it started for release()) when it cannot.
  virtual void up() = 0;

  // Where each fixture (by name) is reached when that is known before up() (a warm stack's ports
  // are published already), so that a test runner can start while up() runs; nullopt for a new
  // stack. Never throws.
  virtual std::optional<std::map<std::string, ReadyEndpoint>> endpoints_before_up() noexcept
  {
    return std::nullopt;
  }

  // Where each fixture (by name) is reached, known right after up(), before readiness, so that a
  // test runner can start and import the tests meanwhile; nullopt when not every fixture's port is
  // published yet. Never throws.
  virtual std::optional<std::map<std::string, ReadyEndpoint>> published_endpoints() noexcept = 0;

  // Blocks until the fixtures are ready (and the one-shot services completed); returns each
  // fixture's endpoint. Throws StackNotReadyError with the service's logs.
  virtual std::map<std::string, ReadyEndpoint> wait_ready() = 0;

  // The fixtures' services that cannot serve tests any more ("service: why"); empty when healthy.
  virtual std::vector<std::string> broken_services() = 0;

  // How and when each fixture's service that is not running and healthy ended.
  virtual std::vector<ServiceDeath> service_deaths() = 0;

  // Gives the stack back now (idempotent): removed, or reset and returned to its pool. Returns
  // how long it took. Never throws; bounded in time.
  virtual Milliseconds release() noexcept = 0;

  // Leaves it running when released or destroyed (--keep-on-failure).
  virtual void keep() = 0;

  // --reuse: the pytest worker the next run will want on this stack (its options and
  // environment), so that one waits warm beside it in the pool (NextRunWorker). Called once the
  // shard has no more tests to take (a pooled stack may start it then) and again before
  // release(); the first call decides. A stack that is removed rather than returned ignores it.
  virtual void keep_worker_warm(const PytestWorkerOptions& /*options*/,
                                const std::map<std::string, std::string>& /*environment*/)
  {
  }

  // The warm worker that the run which returned this stack parked beside it; nullopt when none.
  // Never throws.
  virtual std::optional<ParkedPytestWorker> parked_worker() noexcept
  {
    return std::nullopt;
  }
};

// Hands shards their stacks. Thread-safe: shard threads ask concurrently.
class StackProvider
{
public:
  virtual ~StackProvider() = default;

  // A stack for `shard`, not up yet; its files (override, compose log) go to `shard_dir`. May
  // wait (a memory budget spent by other shards' stacks). Throws when none can be had.
  virtual std::unique_ptr<ShardStack> provide(int shard, const std::filesystem::path& shard_dir) = 0;
};

}  // namespace orchestrate
