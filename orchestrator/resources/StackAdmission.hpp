#pragma once

#include "core/Quantities.hpp"
#include "docker/ComposeModel.hpp"
#include "resources/MemoryPressure.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace orchestrate {

class StackAdmission;

// Permission for one stack to run, from StackAdmission::admit(). Move-only RAII: destroying it (or
// release()) gives the stack's share of the budget back and wakes a waiting shard. The
// StackAdmission must outlive its tickets.
class AdmissionTicket
{
public:
  // A ticket that holds nothing.
  AdmissionTicket() = default;
  ~AdmissionTicket();

  AdmissionTicket(AdmissionTicket&& other) noexcept;
  AdmissionTicket& operator=(AdmissionTicket&& other) noexcept;
  AdmissionTicket(const AdmissionTicket&) = delete;
  AdmissionTicket& operator=(const AdmissionTicket&) = delete;

  // True until released (or moved from).
  bool holds() const;

  // Gives the share back now; idempotent. Never throws.
  void release() noexcept;

private:
  friend class StackAdmission;
  explicit AdmissionTicket(StackAdmission& gate) : m_gate(&gate)
  {
  }

  StackAdmission* m_gate = nullptr;
};

// A thread-safe counting gate, in bytes, in front of `compose up`: at most
// max_concurrent_stacks() = min(parallel, budget / stack cost) stacks run at once, so the sum of
// their memory limits never exceeds the memory budget. The other shards wait in admit().
//
// Optionally (watch_pressure) it also holds back a further stack while the host's MemAvailable is
// below a floor, as long as one of our stacks runs: those end and free memory, so the run always
// progresses (the first stack is never held back; preflight checked the memory beforehand).
class StackAdmission
{
public:
  // `stack_cost_bytes` is what one stack may use at most (the sum of its services' memory limits;
  // 0 when unknown: then only `parallel` limits). Throws UsageError when `parallel` < 1 or when one
  // stack alone exceeds `budget_bytes` (the message gives both and says to raise --memory-budget).
  StackAdmission(std::uint64_t budget_bytes, std::uint64_t stack_cost_bytes, int parallel);

  // The same with the cost taken from the stack's compose model (ComposeModel::memory_limit_bytes()).
  // The UsageError for a stack over budget names each service and its limit. Services without a
  // memory limit count as 0; a warning names them once.
  StackAdmission(const ComposeModel& stack, std::uint64_t budget_bytes, int parallel);

  StackAdmission(const StackAdmission&) = delete;
  StackAdmission& operator=(const StackAdmission&) = delete;

  // Makes admit() also wait while `pressure.below_floor()` and at least one stack runs. The first
  // time that holds a stack back, `on_wait` gets one line saying so (MemAvailable and the floor);
  // it is called without any lock held. `pressure` must outlive this object. Call before the first
  // admit().
  void watch_pressure(const MemoryPressure& pressure,
                      std::function<void(const std::string&)> on_wait);

  // min(parallel, budget / stack cost); parallel when the cost is 0. At least 1.
  int max_concurrent_stacks() const;
  std::uint64_t budget_bytes() const;
  std::uint64_t stack_cost_bytes() const;
  // How many tickets are held now, and their cost in bytes.
  int running_stacks() const;
  std::uint64_t bytes_in_use() const;

  // Blocks until one more stack fits (and, with watch_pressure, the host is not short of memory),
  // then returns its ticket. Throws Error(ExitCode::k_interrupted) as soon as interrupt_count() > 0
  // (checked every 100 ms while waiting, and before admitting): no stack starts after an interrupt.
  AdmissionTicket admit();

  // As admit(), but gives up after `timeout`, returning nullopt.
  std::optional<AdmissionTicket> try_admit_for(Milliseconds timeout);

  // When the budget caps the parallelism below `parallel`, the first call returns one line for the
  // user: "memory budget 4.0 GiB allows 7 of --parallel 10 stacks (each up to 384 MiB); the other
  // shards queue". Every other call, and every call when nothing is capped, returns "".
  // Thread-safe.
  std::string capped_message();

private:
  friend class AdmissionTicket;

  std::optional<AdmissionTicket> admit_before(std::optional<std::chrono::steady_clock::time_point>
                                                deadline);
  void release() noexcept;

  std::uint64_t m_budget_bytes;
  std::uint64_t m_stack_cost_bytes;
  int m_parallel;
  int m_max_concurrent;

  const MemoryPressure* m_pressure = nullptr;
  std::function<void(const std::string&)> m_on_pressure_wait;

  mutable std::mutex m_mutex;
  std::condition_variable m_released;
  int m_running = 0;
  bool m_pressure_reported = false;
  std::atomic<bool> m_cap_reported{false};
};

}  // namespace orchestrate
