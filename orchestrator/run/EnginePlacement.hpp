#pragma once

#include "docker/DockerEngine.hpp"
#include "resources/EngineMemoryPressure.hpp"
#include "resources/StackAdmission.hpp"
#include "run/FreshStackProvider.hpp"
#include "run/StackProvider.hpp"
#include "run/StartSlotCount.hpp"
#include "run/StartSlots.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace orchestrate {

// Places each shard's stack on one of the run's engines (docs/scale-out.md): every engine has a
// memory budget and an admission of its own (its `memory_budget`, else the run's), and a shard
// goes to the first engine in the configured order that has room (the local engine first); when
// none has, it waits. Each engine's stacks are made as FreshStackProvider makes them, and start
// a few at a time by the engine's own start slots (StartSlots.hpp: an engine has its own CPUs).
//
// Engine loss: when a request to an engine fails and the engine no longer answers a ping, the
// engine is lost for the rest of the run. A stack on it reports its fixtures as broken (and as
// dead since it was placed), so the shard recreates it, and the provider places it on another
// engine; the tests that failed on the lost engine go back to the queue. A stack that fails to
// come up because its engine was lost moves to another engine by itself. When every engine is
// lost, provide() throws EnvironmentError (exit 7).
//
// Thread-safe. The engines must outlive the placement and its stacks.
class EnginePlacement : public StackProvider
{
public:
  // `engines` in placement order (at least one). `budgets` gives each engine's memory budget
  // (same order); `start_slots` each engine's start slots (start_slot_count, which may ask the
  // engine for its CPUs). Throws UsageError when one stack does not fit an engine's budget
  // (naming it).
  // `on_message` gets the lines for the user (an engine lost); `on_placed` the shard and the
  // engine's name each time a shard's stack is placed (for the live display). Both are called
  // without locks held.
  EnginePlacement(FreshStackSettings settings, std::vector<DockerEngine*> engines,
                  const std::vector<std::uint64_t>& budgets, int parallel,
                  const StartSlotSettings& start_slots,
                  std::function<void(const std::string&)> on_message,
                  std::function<void(int, const std::string&)> on_placed = {});
  ~EnginePlacement() override;

  std::unique_ptr<ShardStack> provide(int shard, const std::filesystem::path& shard_dir) override;

  // The admission of the first engine, for the memory-pressure watch of this host.
  StackAdmission& local_admission();

  // The memory floor for the engines after the first (EngineMemoryPressure): each admits a further
  // stack only while its memory left is at least `floor_bytes`; `on_wait` gets the line when that
  // first holds a stack back. Nothing with a floor of 0. Call once, before the first provide().
  void watch_engine_memory(std::uint64_t floor_bytes,
                           const std::function<void(const std::string&)>& on_wait);

  // How many stacks fit at once across the engines (the sum of each engine's admission).
  int max_concurrent_stacks() const;

  // The name of the engine `shard`'s stack was last placed on; "" when none.
  std::string engine_of(int shard) const;

  // The engines lost during the run, in the order they were lost.
  std::vector<std::string> lost_engines() const;

  // Whether engine `index` is lost. Checked by the stacks when a request fails: pings the
  // engine, and on no answer marks it lost (saying so once). Returns true when lost.
  bool check_lost(std::size_t index);
  // Whether engine `index` was found lost already (no request).
  bool check_lost_quietly(std::size_t index) const;

  DockerEngine& engine(std::size_t index);
  std::size_t engine_count() const;

  // A stack for `shard` on an engine that is not lost, with its admission, waiting for room.
  struct Placement
  {
    std::size_t engine = 0;
    AdmissionTicket ticket;
    std::unique_ptr<ShardStack> stack;
  };
  Placement place(int shard, const std::filesystem::path& shard_dir);

  const FreshStackSettings& settings() const
  {
    return m_settings;
  }

private:
  struct Slot;

  FreshStackSettings m_settings;
  std::vector<std::unique_ptr<Slot>> m_slots;
  std::function<void(const std::string&)> m_on_message;
  std::function<void(int, const std::string&)> m_on_placed;
  mutable std::mutex m_mutex;
  std::map<int, std::string> m_engine_of_shard;
  std::vector<std::string> m_lost;
};

}  // namespace orchestrate
