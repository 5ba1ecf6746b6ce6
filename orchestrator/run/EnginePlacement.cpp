#include "run/EnginePlacement.hpp"

#include "core/Error.hpp"
#include "run/ServiceDeath.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <set>

namespace orchestrate {

namespace {

// How long provide() waits on one engine's admission before it looks at every engine again.
constexpr Milliseconds k_wait_step(100);
constexpr Milliseconds k_loss_ping_timeout(3'000);
// How often an engine after the first has its memory read (one list and a stats request per
// running container): admission waits for a second or so at most to see memory freed.
constexpr Milliseconds k_engine_memory_interval(1'000);

// A shard's stack on the engine it was placed on. When the engine is lost, the stack says its
// fixtures are broken (so that the shard recreates it elsewhere), and a stack that cannot come up
// on a lost engine moves to another one by itself.
class PlacedShardStack : public ShardStack
{
public:
  PlacedShardStack(EnginePlacement& placement, int shard, std::filesystem::path shard_dir,
                   EnginePlacement::Placement placed)
    : m_placement(placement),
      m_shard(shard),
      m_shard_dir(std::move(shard_dir)),
      m_placed(std::move(placed)),
      m_placed_at(WallClock::now())
  {
  }

  ~PlacedShardStack() override
  {
    release();
  }

  const std::string& name() const override
  {
    return m_placed.stack->name();
  }

  StartSlot take_start_slot() override
  {
    // The slot of the engine it is placed on now (one it moves to while starting is not waited
    // for again).
    return m_placed.stack->take_start_slot();
  }

  void up() override
  {
    with_moves([&] {
      m_placed.stack->up();
      m_moved = false;
    });
  }

  std::optional<std::map<std::string, ReadyEndpoint>> published_endpoints() noexcept override
  {
    return m_placed.stack->published_endpoints();
  }

  std::map<std::string, ReadyEndpoint> wait_ready() override
  {
    std::map<std::string, ReadyEndpoint> endpoints;
    with_moves([&] {
      if (m_moved) {
        m_moved = false;
        m_placed.stack->up();
      }
      endpoints = m_placed.stack->wait_ready();
    });
    return endpoints;
  }

  std::vector<std::string> broken_services() override
  {
    if (m_placement.check_lost_quietly(m_placed.engine)) {
      return {lost_description()};
    }
    try {
      return m_placed.stack->broken_services();
    } catch (const std::exception&) {
      if (m_placement.check_lost(m_placed.engine)) {
        return {lost_description()};
      }
      throw;
    }
  }

  std::vector<ServiceDeath> service_deaths() override
  {
    if (!m_placement.check_lost_quietly(m_placed.engine)) {
      return m_placed.stack->service_deaths();
    }
    // Everything that failed on the stack since it was placed may have failed because of the
    // engine: those tests run again on the next stack (DeadStackVerdict.hpp).
    std::vector<ServiceDeath> deaths;
    std::set<std::string> services;
    for (const auto& fixture : m_placement.settings().fixtures) {
      if (services.insert(fixture.service).second) {
        deaths.push_back(ServiceDeath{fixture.service, "was lost with engine " + engine_name(),
                                      m_placed_at, WallClock::now()});
      }
    }
    return deaths;
  }

  Milliseconds release() noexcept override
  {
    if (m_released) {
      return Milliseconds(0);
    }
    m_released = true;
    const auto duration = m_placed.stack->release();
    m_placed.ticket = AdmissionTicket();
    return duration;
  }

  void keep() override
  {
    m_placed.stack->keep();
  }

private:
  std::string engine_name()
  {
    return m_placement.engine(m_placed.engine).endpoint().name;
  }

  std::string lost_description()
  {
    return "engine " + engine_name() + " does not answer";
  }

  // Runs `step`; when it fails because the engine was lost, places the stack on another engine
  // (same project name) and runs `step` again there.
  template <typename Step>
  void with_moves(Step step)
  {
    while (true) {
      try {
        step();
        return;
      } catch (const Error& error) {
        if (error.exit_code() == ExitCode::k_interrupted || !m_placement.check_lost(m_placed.engine)) {
          throw;
        }
      }
      const std::string from = engine_name();
      m_placed.stack->release();
      m_placed.ticket = AdmissionTicket();
      // Throws EnvironmentError when no engine is left.
      m_placed = m_placement.place(m_shard, m_shard_dir);
      m_placed_at = WallClock::now();
      spdlog::info("shard {}: its stack moves from engine {} to engine {}", m_shard, from,
                   engine_name());
      m_moved = true;  // the next attempt of the step brings it up there
    }
  }

  EnginePlacement& m_placement;
  int m_shard;
  std::filesystem::path m_shard_dir;
  EnginePlacement::Placement m_placed;
  WallClock::time_point m_placed_at;
  bool m_moved = false;  // placed anew and not brought up yet
  bool m_released = false;
};

}  // namespace

struct EnginePlacement::Slot
{
  Slot(const FreshStackSettings& settings, DockerEngine& engine_, std::uint64_t budget,
       int parallel, const StartSlotSettings& start_slot_settings)
    : engine(engine_),
      admission(settings.model, budget, parallel),
      start_slots(start_slot_count(start_slot_settings, engine_), engine_.endpoint().name),
      provider(settings, engine_, nullptr, &start_slots)
  {
  }

  DockerEngine& engine;
  std::unique_ptr<EngineMemoryPressure> memory;  // watched by the admission: declared before it
  StackAdmission admission;
  StartSlots start_slots;  // used by the provider's stacks: declared before it
  FreshStackProvider provider;
  std::atomic<bool> lost{false};
};

EnginePlacement::EnginePlacement(FreshStackSettings settings, std::vector<DockerEngine*> engines,
                                 const std::vector<std::uint64_t>& budgets, int parallel,
                                 const StartSlotSettings& start_slots,
                                 std::function<void(const std::string&)> on_message,
                                 std::function<void(int, const std::string&)> on_placed)
  : m_settings(std::move(settings)),
    m_on_message(std::move(on_message)),
    m_on_placed(std::move(on_placed))
{
  for (std::size_t i = 0; i < engines.size(); ++i) {
    try {
      m_slots.push_back(
        std::make_unique<Slot>(m_settings, *engines[i], budgets.at(i), parallel, start_slots));
    } catch (const UsageError& error) {
      throw UsageError("engine " + engines[i]->endpoint().name + ": " + error.what());
    }
  }
}

EnginePlacement::~EnginePlacement() = default;

StackAdmission& EnginePlacement::local_admission()
{
  return m_slots.front()->admission;
}

void EnginePlacement::watch_engine_memory(std::uint64_t floor_bytes,
                                          const std::function<void(const std::string&)>& on_wait)
{
  if (floor_bytes == 0) {
    return;
  }
  for (std::size_t i = 1; i < m_slots.size(); ++i) {
    Slot& slot = *m_slots[i];
    slot.memory = std::make_unique<EngineMemoryPressure>(
      engine_memory_reader(slot.engine), slot.engine.endpoint().name, floor_bytes,
      k_engine_memory_interval);
    slot.admission.watch_pressure(*slot.memory, on_wait);
  }
}

int EnginePlacement::max_concurrent_stacks() const
{
  int total = 0;
  for (const auto& slot : m_slots) {
    total += slot->admission.max_concurrent_stacks();
  }
  return total;
}

std::string EnginePlacement::engine_of(int shard) const
{
  const std::lock_guard lock(m_mutex);
  const auto found = m_engine_of_shard.find(shard);
  return found == m_engine_of_shard.end() ? std::string() : found->second;
}

std::vector<std::string> EnginePlacement::lost_engines() const
{
  const std::lock_guard lock(m_mutex);
  return m_lost;
}

DockerEngine& EnginePlacement::engine(std::size_t index)
{
  return m_slots.at(index)->engine;
}

std::size_t EnginePlacement::engine_count() const
{
  return m_slots.size();
}

bool EnginePlacement::check_lost_quietly(std::size_t index) const
{
  return m_slots.at(index)->lost.load();
}

bool EnginePlacement::check_lost(std::size_t index)
{
  Slot& slot = *m_slots.at(index);
  if (slot.lost.load()) {
    return true;
  }
  if (slot.engine.ping(k_loss_ping_timeout)) {
    return false;
  }
  if (slot.lost.exchange(true)) {
    return true;
  }
  const auto& endpoint = slot.engine.endpoint();
  std::string message = "engine " + endpoint.name + " (" + endpoint.host +
                        ") stopped answering: its shards move to the other engines";
  {
    const std::lock_guard lock(m_mutex);
    m_lost.push_back(endpoint.name);
  }
  spdlog::debug("{}", message);
  if (m_on_message) {
    m_on_message(message);
  }
  return true;
}

EnginePlacement::Placement EnginePlacement::place(int shard,
                                                  const std::filesystem::path& shard_dir)
{
  while (true) {
    std::optional<std::size_t> first_live;
    for (std::size_t i = 0; i < m_slots.size(); ++i) {
      Slot& slot = *m_slots[i];
      if (slot.lost.load()) {
        continue;
      }
      if (!first_live) {
        first_live = i;
      }
      // The first engine in order with room takes it: the local engine before the others.
      if (auto ticket = slot.admission.try_admit_for(Milliseconds(0))) {
        Placement placed{i, std::move(*ticket), slot.provider.provide(shard, shard_dir)};
        {
          const std::lock_guard lock(m_mutex);
          m_engine_of_shard[shard] = slot.engine.endpoint().name;
        }
        spdlog::debug("shard {}: placed on engine {}", shard, slot.engine.endpoint().name);
        if (m_on_placed) {
          m_on_placed(shard, slot.engine.endpoint().name);
        }
        return placed;
      }
    }
    if (!first_live) {
      std::string lost;
      for (const auto& name : lost_engines()) {
        lost += (lost.empty() ? "" : ", ") + name;
      }
      throw EnvironmentError("no engine is left to place a stack on: every engine of the run "
                             "stopped answering (" + lost + ")");
    }
    // Every engine is full: wait for room on the first (also where an interrupt is seen), then
    // look at every engine again.
    if (auto ticket = m_slots[*first_live]->admission.try_admit_for(k_wait_step)) {
      ticket->release();
    }
  }
}

std::unique_ptr<ShardStack> EnginePlacement::provide(int shard,
                                                     const std::filesystem::path& shard_dir)
{
  return std::make_unique<PlacedShardStack>(*this, shard, shard_dir, place(shard, shard_dir));
}

}  // namespace orchestrate
