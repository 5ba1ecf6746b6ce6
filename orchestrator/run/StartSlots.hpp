#pragma once

#include "core/Quantities.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace orchestrate {

class StartSlots;

// One shard's permission to bring its stack up (StartSlots::acquire). Move-only RAII: destroying
// it, or release(), frees the slot and wakes the next waiting shard. When it ends while no
// exception unwinds (the stack became ready), its hold time counts as one of the engine's ready
// times, from which the hold bound is learned. The StartSlots must outlive its slots.
class StartSlot
{
public:
  // A slot that holds nothing (unlimited slots, a stack that needs none).
  StartSlot() = default;
  ~StartSlot();

  StartSlot(StartSlot&& other) noexcept;
  StartSlot& operator=(StartSlot&& other) noexcept;
  StartSlot(const StartSlot&) = delete;
  StartSlot& operator=(const StartSlot&) = delete;

  // True until released (or moved from).
  bool holds() const;

  // Frees the slot now; idempotent. Never throws.
  void release() noexcept;

private:
  friend class StartSlots;
  StartSlot(StartSlots& slots, std::uint64_t id);

  StartSlots* m_slots = nullptr;
  std::uint64_t m_id = 0;
  int m_exceptions_at_start = 0;  // std::uncaught_exceptions() when it was taken
};

// The start slots of one Docker engine (docs/resources.md, "Start slots"): at most `slots` of its
// stacks bring themselves up (from `compose up` until ready) at the same time. On a CPU-bound
// machine, stacks that all start at once are all ready late; started a few at a time, the first
// ones are ready sooner and their shards take tests from the shared queue while the others start.
//
// - Shard 1 never waits: its worker gives the run its collection (WorkerCollection), which every
//   other shard waits for. It takes a slot even when all are held (then one more runs at once).
// - The others wait in shard order (the lowest shard number first), whenever they asked. At the
//   start of a run every shard asks within moments, in whatever order its thread ran first: for
//   the order window after the slots were made, a shard also waits while a lower shard has not
//   asked yet, so that shards 2 and 3 cannot take both slots a few milliseconds before shard 1
//   asks (three stacks would then start at once, and shard 1's, which every shard waits for,
//   later). A lower shard that never asks (a warm stack needs no slot, or it runs on another
//   engine) delays the others by the window at most.
// - A slot is held from `up` until the stack is ready, but at most the hold bound: a stack stuck
//   in its readiness wait (a service that never gets healthy, up to its readiness timeout, 60 s by
//   default) must not keep the other shards from starting for that long. Past the bound, its slot
//   counts as free again. The bound is twice the typical time to ready of this engine's stacks in
//   this run (the median of those ready so far), at least k_min_hold_bound, and
//   k_initial_hold_bound until one was ready.
// - Waiting stops when should_stop_children() (an interrupt, -x / --maxfail): no shard stays
//   blocked, and no stack starts after a stop.
//
// Thread-safe.
class StartSlots
{
public:
  using Clock = std::chrono::steady_clock;

  static constexpr Milliseconds k_initial_hold_bound{10'000};
  static constexpr Milliseconds k_min_hold_bound{2'000};
  static constexpr Milliseconds k_order_window{150};

  // `slots` at once on engine `engine` (its name, for messages); 0 means unlimited: acquire()
  // never waits. `now` is the clock the holds and the order window are timed with (a fake one in
  // tests); the waits themselves are real. Throws InternalError when `slots` < 0.
  explicit StartSlots(int slots, std::string engine = "local",
                      std::function<Clock::time_point()> now = Clock::now,
                      Milliseconds order_window = k_order_window);

  StartSlots(const StartSlots&) = delete;
  StartSlots& operator=(const StartSlots&) = delete;

  // How many stacks may start at once; 0: unlimited.
  int slots() const;

  // How long a slot is held at most now (see the class comment).
  Milliseconds hold_bound() const;

  // Holds taken and neither released nor past the hold bound.
  int active_holds() const;

  // Shards waiting in acquire() now.
  int waiting() const;

  // Blocks until `shard` may start its stack, then returns its slot (an empty one when unlimited).
  // Throws InterruptedError as soon as should_stop_children() (checked every 100 ms while
  // waiting, and before taking a slot).
  StartSlot acquire(int shard);

  // As acquire(), but gives up after `timeout` (real time), returning nullopt.
  std::optional<StartSlot> try_acquire_for(int shard, Milliseconds timeout);

private:
  friend class StartSlot;

  struct Hold
  {
    int shard = 0;
    Clock::time_point since;
    bool past_bound_said = false;  // the debug line saying its slot was freed by the bound
  };

  std::optional<StartSlot> acquire_before(int shard,
                                          std::optional<Clock::time_point> real_deadline);
  // Whether `waiter` (shard, ticket) may take a slot now. Needs m_mutex.
  bool may_start_locked(const std::pair<int, std::uint64_t>& waiter);
  // Holds not past the bound at `now`; says (debug) which went past it. Needs m_mutex.
  int active_holds_locked(Clock::time_point now);
  Milliseconds hold_bound_locked() const;
  void release(std::uint64_t id, bool became_ready) noexcept;

  const int m_slots;
  const std::string m_engine;
  const std::function<Clock::time_point()> m_now;
  const Clock::time_point m_order_window_end;  // by m_now

  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  std::map<std::uint64_t, Hold> m_holds;             // by id
  std::set<std::pair<int, std::uint64_t>> m_waiting;  // (shard, ticket): lowest shard first
  std::set<int> m_asked;                              // every shard that ever asked
  std::vector<Milliseconds> m_ready_times;            // of the holds that ended ready
  std::uint64_t m_next_id = 1;
};

}  // namespace orchestrate
