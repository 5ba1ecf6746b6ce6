#include "run/PooledStackProvider.hpp"

#include "core/Error.hpp"
#include "docker/ComposeStack.hpp"
#include "docker/FixturePorts.hpp"
#include "docker/ResourceLabels.hpp"
#include "pool/PoolKeeper.hpp"
#include "pool/StackClaim.hpp"
#include "pool/StackReset.hpp"
#include "process/SignalState.hpp"
#include "run/NextRunWorker.hpp"
#include "runners/ParkedPytestWorker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>

namespace orchestrate {

namespace {

using SteadyClock = std::chrono::steady_clock;

Milliseconds since(SteadyClock::time_point start)
{
  return std::chrono::duration_cast<Milliseconds>(SteadyClock::now() - start);
}

long long now_seconds()
{
  return static_cast<long long>(std::time(nullptr));
}

long long seconds_of(Milliseconds duration)
{
  return (duration.count() + 999) / 1000;
}

// Writes the pool record that makes `stack` a warm stack again: its images and labels as the
// engine has them now, its deadline ttl from now. Returns false (and writes nothing) when the
// stack is not worth keeping: a fixture's service is broken, or nothing of it is left.
bool record_return(DockerEngine& engine, const PooledStackSettings& settings,
                   const std::string& stack, int shard, const std::vector<std::string>& broken,
                   long long created, int claims)
{
  if (!broken.empty()) {
    spdlog::info("{}: not returned to the pool ({})", stack, broken.front());
    return false;
  }
  const auto containers = engine.list_containers({label_filter(labels::k_stack, stack)});
  if (containers.empty()) {
    return false;
  }
  PoolRecord record;
  record.stack = stack;
  record.shard = shard;
  record.key = settings.key;
  for (const auto& container : containers) {
    const auto service = container.labels.find(labels::k_compose_service);
    if (service != container.labels.end()) {
      record.images[service->second] = {container.image, container.image_id};
    }
  }
  // Only our own labels: compose's are compose's to write.
  record.labels = ownership_labels(ownership_from_labels(containers.front().labels));
  record.created = created != 0 ? created : ownership_from_labels(record.labels).created_unix_seconds;
  record.returned = now_seconds();
  record.deadline = record.returned + seconds_of(settings.ttl);
  record.claims = claims;
  save_pool_record(settings.place.pool_dir, record);
  return true;
}

// The stack as the pool sees it: its compose files with the override file in the pool's folder,
// written now from its ownership labels, so that a `recreate` reset and the readiness gate work
// after the run that created it (and its run folder) is gone.
std::unique_ptr<ComposeStack> pooled_compose_stack(const PooledStackSettings& settings,
                                                   DockerEngine& engine,
                                                   const std::map<std::string, std::string>& labels)
{
  StackSpec spec;
  spec.ownership = ownership_from_labels(labels);
  spec.compose_files = settings.stacks.compose_files;
  spec.work_dir = pool_stack_dir(settings.place.pool_dir, spec.ownership.stack);
  std::filesystem::create_directories(spec.work_dir);
  spec.model = settings.stacks.model;
  spec.published_ports = fixture_published_ports(settings.stacks.fixtures);
  spec.stop_timeout = settings.stacks.stop_timeout;
  return std::make_unique<ComposeStack>(std::move(spec), engine);
}

// Cleans the fixtures' services of a pooled stack. Throws what reset_stack_services throws.
void reset_pooled_stack(DockerEngine& engine, const PooledStackSettings& settings,
                        const std::string& stack, const std::filesystem::path& log_file)
{
  auto files = settings.stacks.compose_files;
  files.push_back(pool_stack_dir(settings.place.pool_dir, stack) / "compose.override.yml");
  const ComposeCli cli(stack, files, log_file, engine.client_environment());
  reset_stack_services(engine, cli, stack, settings.stacks.fixtures);
}

// What a returning run does for the next one, so that its first test need not wait: resets the
// stack now (record.clean), runs the readiness gate (and the one-shot services again), then hands
// the next run's pytest worker to the pool with it (record.worker_token). Saves the record. Throws
// when the reset or the gate fails (the caller then removes the stack).
void prepare_for_next_run(DockerEngine& engine, const PooledStackSettings& settings,
                          PoolRecord& record, const std::filesystem::path& log_file,
                          NextRunWorker* worker)
{
  auto compose = pooled_compose_stack(settings, engine, record.labels);
  compose->keep();  // this object only looks at the stack: its end must not tear it down
  reset_pooled_stack(engine, settings, record.stack, log_file);
  auto endpoints = compose->wait_ready(settings.stacks.fixtures, settings.stacks.readiness_timeout);
  if (reset_wipes_state(settings.stacks.fixtures)) {
    compose->rerun_one_shots(settings.stacks.fixtures);
    endpoints = compose->wait_ready(settings.stacks.fixtures, settings.stacks.readiness_timeout);
  }
  record.clean = true;
  if (worker != nullptr) {
    record.worker_token = worker->hand_over(endpoints, record.deadline);
  }
  save_pool_record(settings.place.pool_dir, record);
}

// What both kinds of pooled stack do when released: back to the pool when healthy, reset for the
// next run (prepare_for_next_run), else removed. `remove` tears the stack down; `keep_running`
// lets go of it without tearing it down. `reset_time` gets how long the reset took.
Milliseconds release_to_pool(DockerEngine& engine, const PooledStackSettings& settings,
                             std::optional<StackClaim>& claim, int shard, long long created,
                             int claims, const std::function<std::vector<std::string>()>& broken,
                             const std::function<Milliseconds()>& remove,
                             const std::function<void()>& keep_running,
                             const std::filesystem::path& log_file, NextRunWorker* worker,
                             Milliseconds& reset_time) noexcept
{
  const auto started = SteadyClock::now();
  if (!claim) {
    return remove();
  }
  const std::string stack = claim->stack();
  try {
    if (record_return(engine, settings, stack, shard, broken(), created, claims)) {
      // An interrupted run leaves at once: the next claim resets the stack instead.
      if (!should_stop_children()) {
        const auto reset_started = SteadyClock::now();
        try {
          auto record = load_pool_record(settings.place.pool_dir, stack);
          if (!record) {
            throw InternalError("its pool record is gone");
          }
          prepare_for_next_run(engine, settings, *record, log_file, worker);
          reset_time = since(reset_started);
        } catch (const std::exception& error) {
          throw InternalError(std::string("resetting it for the next run failed: ") +
                              error.what());
        }
      }
      keep_running();
      claim.reset();  // unclaimed: the next run (or the keeper, at the deadline) may take it
      ensure_pool_keeper(settings.place);
      spdlog::debug("{}: returned to the pool for {}", stack, format_seconds(settings.ttl));
      return since(started);
    }
  } catch (const std::exception& error) {
    spdlog::warn("{}: could not return it to the pool ({}); removing it", stack, error.what());
  }
  const auto duration = remove();
  remove_pool_record(settings.place.pool_dir, stack);
  claim->release_and_remove_file();
  claim.reset();
  return duration;
}

// A warm stack of the pool, claimed by this run and reset.
class WarmShardStack : public ShardStack
{
public:
  // `clean`: the run that returned it reset it (PoolRecord::clean), so up() only has the
  // readiness gate follow.
  WarmShardStack(PooledStackProvider& provider, DockerEngine& engine, StackClaim claim,
                 PoolRecord record, bool clean, int shard, const std::filesystem::path& shard_dir,
                 AdmissionTicket admission)
    : m_provider(provider),
      m_settings(provider.settings()),
      m_engine(engine),
      m_shard(shard),
      m_claim(std::move(claim)),
      m_record(std::move(record)),
      m_shard_dir(shard_dir),
      m_admission(std::move(admission)),
      m_clean(clean)
  {
    m_stack = pooled_compose_stack(m_settings, engine, m_record.labels);
  }

  ~WarmShardStack() override
  {
    release();
  }

  // Removes the stack at once (a failed reset, a stale key). Never throws.
  void discard() noexcept
  {
    m_released = true;
    m_stack->tear_down();
    remove_pool_record(m_settings.place.pool_dir, m_record.stack);
    if (m_claim) {
      m_claim->release_and_remove_file();
    }
  }

  const std::string& name() const override
  {
    return m_replacement ? m_replacement->name() : m_record.stack;
  }

  // Its ports are published already: the session starts the tests' worker (imports, collection)
  // before up(), so that they overlap the reset.
  std::optional<std::map<std::string, ReadyEndpoint>> endpoints_before_up() noexcept override
  {
    return published_endpoints();
  }

  // Resets the fixtures' services; the session's readiness gate follows. A reset that fails
  // removes this stack and brings up another from the provider (the next warm one, or a new one),
  // which this object stands for from then on.
  void up() override
  {
    if (m_replacement) {
      m_replacement->up();
      return;
    }
    const auto started = SteadyClock::now();
    if (m_clean) {
      m_provider.note_warm(m_shard, Milliseconds(0));
      spdlog::debug("shard {}: warm stack {} was reset when it was returned", m_shard,
                    m_record.stack);
      return;
    }
    try {
      reset_pooled_stack(m_engine, m_settings, m_record.stack, m_shard_dir / "compose.log");
      m_rerun_one_shots = reset_wipes_state(m_settings.stacks.fixtures);
      m_provider.note_warm(m_shard, since(started));
      spdlog::debug("shard {}: warm stack {} reset in {}", m_shard, m_record.stack,
                    format_seconds(since(started)));
      return;
    } catch (const Error& error) {
      if (error.exit_code() == ExitCode::k_interrupted) {
        discard();
        throw;
      }
      m_provider.say("[shard " + std::to_string(m_shard) + "] could not reset warm stack " +
                     m_record.stack + ": " + error.what() + "; removing it");
    } catch (const std::exception& error) {
      m_provider.say("[shard " + std::to_string(m_shard) + "] could not reset warm stack " +
                     m_record.stack + ": " + error.what() + "; removing it");
    }
    discard();
    m_admission = AdmissionTicket();  // the replacement takes its own
    m_replacement = m_provider.provide(m_shard, m_shard_dir);
    m_replacement->up();
  }

  std::optional<std::map<std::string, ReadyEndpoint>> published_endpoints() noexcept override
  {
    if (m_replacement) {
      return m_replacement->published_endpoints();
    }
    try {
      return m_stack->published_endpoints(m_settings.stacks.fixtures);
    } catch (const std::exception& error) {
      spdlog::debug("{}: published ports not known yet: {}", name(), error.what());
      return std::nullopt;
    }
  }

  std::map<std::string, ReadyEndpoint> wait_ready() override
  {
    if (m_replacement) {
      return m_replacement->wait_ready();
    }
    auto endpoints =
      m_stack->wait_ready(m_settings.stacks.fixtures, m_settings.stacks.readiness_timeout);
    if (m_rerun_one_shots) {
      // After the claim's reset, once the services are ready: the migrations and seeds again.
      m_rerun_one_shots = false;
      m_stack->rerun_one_shots(m_settings.stacks.fixtures);
      endpoints =
        m_stack->wait_ready(m_settings.stacks.fixtures, m_settings.stacks.readiness_timeout);
    }
    return endpoints;
  }

  std::vector<std::string> broken_services() override
  {
    if (m_replacement) {
      return m_replacement->broken_services();
    }
    return m_stack->broken_services(m_settings.stacks.fixtures);
  }

  std::vector<ServiceDeath> service_deaths() override
  {
    if (m_replacement) {
      return m_replacement->service_deaths();
    }
    return find_service_deaths(m_engine, name(), m_settings.stacks.fixtures);
  }

  Milliseconds release() noexcept override
  {
    if (m_replacement) {
      return m_replacement->release();
    }
    if (m_released) {
      return Milliseconds(0);
    }
    m_released = true;
    Milliseconds reset_time{0};
    const auto duration = release_to_pool(
      m_engine, m_settings, m_claim, m_record.shard, m_record.created, m_record.claims,
      [this] { return broken_services(); }, [this] { return m_stack->tear_down().duration; },
      [this] { m_stack->keep(); }, m_shard_dir / "compose.log", m_next_worker.get(), reset_time);
    m_next_worker.reset();  // stopped unless the pool has it now
    m_provider.note_reset_for_next_run(m_shard, reset_time);
    m_admission = AdmissionTicket();
    return duration;
  }

  void keep() override
  {
    // --keep-on-failure: a pooled stack stays up anyway, in the pool until its deadline.
    if (m_replacement) {
      m_replacement->keep();
    }
  }

  void keep_worker_warm(const PytestWorkerOptions& options,
                        const std::map<std::string, std::string>& environment) override
  {
    if (m_replacement) {
      m_replacement->keep_worker_warm(options, environment);
      return;
    }
    if (!m_next_worker) {
      m_next_worker = std::make_unique<NextRunWorker>(
        pool_worker_link(m_settings.place.pool_dir, m_record.stack),
                                                      m_settings.stacks.fixtures, m_settings.ttl);
    }
    m_next_worker->plan(options, environment);
  }

  std::optional<ParkedPytestWorker> parked_worker() noexcept override
  {
    if (m_replacement) {
      return m_replacement->parked_worker();
    }
    if (m_record.worker_token.empty()) {
      return std::nullopt;
    }
    auto parked = find_parked_worker(pool_worker_link(m_settings.place.pool_dir, m_record.stack));
    if (!parked || parked->escape_token != m_record.worker_token) {
      return std::nullopt;
    }
    return parked;
  }

private:
  PooledStackProvider& m_provider;
  const PooledStackSettings& m_settings;
  DockerEngine& m_engine;
  int m_shard;
  std::optional<StackClaim> m_claim;
  PoolRecord m_record;
  std::filesystem::path m_shard_dir;
  AdmissionTicket m_admission;
  std::unique_ptr<ComposeStack> m_stack;
  bool m_clean;
  bool m_rerun_one_shots = false;  // after a reset at the claim, in wait_ready()
  bool m_released = false;
  std::unique_ptr<ShardStack> m_replacement;  // after a failed reset
  std::unique_ptr<NextRunWorker> m_next_worker;
};

// A new stack of the fresh provider, claimed by this run from the start (so no sweep takes it
// for an abandoned pool stack) and returned to the pool when released.
class ClaimedFreshStack : public ShardStack
{
public:
  ClaimedFreshStack(PooledStackProvider& provider, DockerEngine& engine, StackClaim claim,
                    std::unique_ptr<ShardStack> inner, int shard,
                    const std::filesystem::path& shard_dir)
    : m_provider(provider),
      m_settings(provider.settings()),
      m_engine(engine),
      m_claim(std::move(claim)),
      m_inner(std::move(inner)),
      m_name(m_inner->name()),
      m_shard(shard),
      m_shard_dir(shard_dir)
  {
  }

  ~ClaimedFreshStack() override
  {
    release();
  }

  const std::string& name() const override
  {
    return m_name;  // also after release, when m_inner may be gone
  }

  StartSlot take_start_slot() override
  {
    return m_inner->take_start_slot();  // a new stack starts as a fresh one does (StartSlots.hpp)
  }

  void up() override
  {
    m_inner->up();
  }

  std::optional<std::map<std::string, ReadyEndpoint>> published_endpoints() noexcept override
  {
    return m_inner->published_endpoints();
  }

  std::map<std::string, ReadyEndpoint> wait_ready() override
  {
    auto endpoints = m_inner->wait_ready();
    m_ready = true;
    return endpoints;
  }

  std::vector<std::string> broken_services() override
  {
    return m_inner->broken_services();
  }

  std::vector<ServiceDeath> service_deaths() override
  {
    return m_inner->service_deaths();
  }

  Milliseconds release() noexcept override
  {
    if (m_released) {
      return Milliseconds(0);
    }
    m_released = true;
    Milliseconds reset_time{0};
    const auto duration = release_to_pool(
      m_engine, m_settings, m_claim, m_shard, 0, 0,
      [this] {
        // A stack that never became ready is not worth keeping.
        return m_ready ? m_inner->broken_services()
                       : std::vector<std::string>{"it never became ready"};
      },
      [this] { return m_inner->release(); },
      [this] {
        m_inner->keep();
        m_inner.reset();
      },
      m_shard_dir / "compose.log", m_next_worker.get(), reset_time);
    m_next_worker.reset();  // stopped unless the pool has it now
    m_provider.note_reset_for_next_run(m_shard, reset_time);
    return duration;
  }

  void keep() override
  {
    // --keep-on-failure: a pooled stack stays up anyway, in the pool until its deadline.
  }

  void keep_worker_warm(const PytestWorkerOptions& options,
                        const std::map<std::string, std::string>& environment) override
  {
    if (!m_next_worker) {
      m_next_worker = std::make_unique<NextRunWorker>(
        pool_worker_link(m_settings.place.pool_dir, m_name), m_settings.stacks.fixtures,
        m_settings.ttl);
    }
    m_next_worker->plan(options, environment);
  }

private:
  PooledStackProvider& m_provider;
  const PooledStackSettings& m_settings;
  DockerEngine& m_engine;
  std::optional<StackClaim> m_claim;
  std::unique_ptr<ShardStack> m_inner;
  std::string m_name;
  int m_shard;
  std::filesystem::path m_shard_dir;
  std::unique_ptr<NextRunWorker> m_next_worker;
  bool m_ready = false;
  bool m_released = false;
};

}  // namespace

PooledStackProvider::PooledStackProvider(PooledStackSettings settings, StackProvider& fresh,
                                         DockerEngine& engine, StackAdmission* admission)
  : m_settings(std::move(settings)), m_fresh(fresh), m_engine(engine), m_admission(admission)
{
}

PooledStackProvider::~PooledStackProvider()
{
  for (auto& removal : m_removals) {
    removal.wait();
  }
}

void PooledStackProvider::say(const std::string& line) const
{
  if (m_settings.on_message) {
    m_settings.on_message(line);
  } else {
    spdlog::info("{}", line);
  }
}

void PooledStackProvider::list_candidates()
{
  if (m_listed) {
    return;
  }
  m_listed = true;
  std::vector<PoolRecord> matching;
  std::vector<std::string> stale;
  for (const auto& stack : list_pool_records(m_settings.place.pool_dir)) {
    auto record = load_pool_record(m_settings.place.pool_dir, stack);
    if (record && record->key == m_settings.key) {
      matching.push_back(std::move(*record));
    } else {
      stale.push_back(stack);
    }
  }
  // Taken from the back: first the stacks whose warm worker has collected (one still starting
  // would make the first test wait), among them the most recently returned (the warmest caches).
  std::map<std::string, bool> worker_ready;  // looked at once per stack, not per comparison
  for (const auto& record : matching) {
    worker_ready[record.stack] =
      !record.worker_token.empty() && pool_worker_ready(m_settings.place.pool_dir, record.stack);
  }
  std::sort(matching.begin(), matching.end(), [&worker_ready](const PoolRecord& a, const PoolRecord& b) {
    return std::pair(worker_ready.at(a.stack), a.returned) <
           std::pair(worker_ready.at(b.stack), b.returned);
  });
  for (const auto& record : matching) {
    m_candidates.push_back(record.stack);
  }
  if (stale.empty()) {
    return;
  }
  // Removed beside the run, so that its first test does not wait for them.
  m_removals.push_back(std::async(std::launch::async, [this, stale] {
    for (const auto& stack : stale) {
      auto claim = StackClaim::try_claim(m_settings.place.lock_dir, stack);
      if (!claim) {
        continue;  // in use by a run of the other configuration: its run returns it, or not
      }
      std::vector<std::string> failures;
      remove_claimed_pool_stack(m_engine, m_settings.place, *claim, failures);
      say("removed stale warm stack " + stack + " (its compose files or fixture ports changed)" +
          (failures.empty() ? "" : "; could not remove " + failures.front()));
    }
  }));
}

std::vector<std::string>::iterator PooledStackProvider::candidate_for(int shard)
{
  // A suite whose modules read ORCHESTRATE_SHARD_INDEX at import can adopt only a warm worker
  // parked with its own index: among the stacks whose warm worker has collected (at the back),
  // the last one parked for this shard, else the last one.
  const std::string index = std::to_string(shard);
  for (auto candidate = m_candidates.rbegin(); candidate != m_candidates.rend(); ++candidate) {
    if (!pool_worker_ready(m_settings.place.pool_dir, *candidate)) {
      break;
    }
    const auto parked = find_parked_worker(pool_worker_link(m_settings.place.pool_dir, *candidate));
    if (parked) {
      const auto found = parked->environment.find("ORCHESTRATE_SHARD_INDEX");
      if (found != parked->environment.end() && found->second == index) {
        return std::next(candidate).base();
      }
    }
  }
  return std::prev(m_candidates.end());
}

std::unique_ptr<ShardStack> PooledStackProvider::claim_warm(int shard,
                                                            const std::filesystem::path& shard_dir)
{
  while (true) {
    std::string stack;
    {
      std::lock_guard lock(m_mutex);
      list_candidates();
      if (m_candidates.empty()) {
        return nullptr;
      }
      const auto chosen = candidate_for(shard);
      stack = *chosen;
      m_candidates.erase(chosen);
    }
    auto claim = StackClaim::try_claim(m_settings.place.lock_dir, stack);
    if (!claim) {
      continue;  // another run has it
    }
    // Read again under the claim: it may have been removed or returned since the listing.
    auto record = load_pool_record(m_settings.place.pool_dir, stack);
    if (!record || !(record->key == m_settings.key)) {
      continue;
    }
    const auto changed = changed_images(record->images, [this](const std::string& image) {
      return m_engine.image_id(image);
    });
    if (!changed.empty()) {
      std::vector<std::string> failures;
      remove_claimed_pool_stack(m_engine, m_settings.place, *claim, failures);
      say("removed stale warm stack " + stack + " (image of " + changed.front() + ")");
      continue;
    }
    // A stack left unclean (its run was killed) may still have that run's adopted worker running
    // a test against it: it goes before anything else touches the stack.
    if (!record->clean) {
      end_warm_worker(m_settings.place.pool_dir, stack);
      record->worker_token.clear();
    }
    // Claimed: if this run dies, the stack expires ttl from now, and the next claim resets it.
    const bool clean = record->clean;
    record->clean = false;
    record->returned = now_seconds();
    record->deadline = record->returned + seconds_of(m_settings.ttl);
    ++record->claims;
    save_pool_record(m_settings.place.pool_dir, *record);
    ensure_pool_keeper(m_settings.place);

    AdmissionTicket admission = m_admission != nullptr ? m_admission->admit() : AdmissionTicket();
    spdlog::debug("shard {}: claimed warm stack {}", shard, stack);
    // Reset in up(), after the session has started the tests' worker on its known ports.
    return std::make_unique<WarmShardStack>(*this, m_engine, std::move(*claim), *record, clean,
                                            shard, shard_dir, std::move(admission));
  }
}

std::unique_ptr<ShardStack> PooledStackProvider::provide(int shard,
                                                         const std::filesystem::path& shard_dir)
{
  if (auto warm = claim_warm(shard, shard_dir)) {
    return warm;
  }
  auto inner = m_fresh.provide(shard, shard_dir);
  auto claim = StackClaim::try_claim(m_settings.place.lock_dir, inner->name());
  if (!claim) {
    throw InternalError("cannot claim the new stack " + inner->name() +
                        ": another process holds its claim " +
                        stack_claim_path(m_settings.place.lock_dir, inner->name()).string());
  }
  return std::make_unique<ClaimedFreshStack>(*this, m_engine, std::move(*claim),
                                             std::move(inner), shard, shard_dir);
}

void PooledStackProvider::note_warm(int shard, Milliseconds reset)
{
  std::lock_guard lock(m_uses_mutex);
  m_warm_resets.emplace(shard, reset);  // the first stack of the shard counts
}

void PooledStackProvider::note_reset_for_next_run(int shard, Milliseconds reset)
{
  std::lock_guard lock(m_uses_mutex);
  m_next_run_resets[shard] += reset;
}

void PooledStackProvider::annotate(std::vector<ShardTiming>& shards) const
{
  std::lock_guard lock(m_uses_mutex);
  for (auto& shard : shards) {
    if (const auto next = m_next_run_resets.find(shard.shard); next != m_next_run_resets.end()) {
      shard.reset_for_next_run = next->second;
    }
    const auto warm = m_warm_resets.find(shard.shard);
    if (warm != m_warm_resets.end()) {
      shard.warm_stack = true;
      shard.reset = warm->second;
    }
  }
}

}  // namespace orchestrate
