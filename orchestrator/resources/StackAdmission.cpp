#include "resources/StackAdmission.hpp"

#include "core/Error.hpp"
#include "process/SignalState.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

// interrupt_count() is a counter written by a signal handler, which cannot notify a condition
// variable: waiting shards look at it this often.
constexpr Milliseconds k_poll_interval{100};

std::string budget_hint()
{
  return "raise --memory-budget (memory_budget in orchestrate.yaml) or lower the services' "
         "memory limits";
}

void check_parallel(int parallel)
{
  if (parallel < 1) {
    throw UsageError("--parallel must be at least 1, not " + std::to_string(parallel));
  }
}

// "postgres 256 MiB, redis 128 MiB, worker (no limit)"
std::string describe_services(const ComposeModel& stack)
{
  std::string text;
  for (const ResolvedService& service : stack.services) {
    if (!text.empty()) {
      text += ", ";
    }
    text += service.name + " " +
            (service.memory_limit_bytes > 0 ? format_bytes(service.memory_limit_bytes)
                                            : std::string("(no limit)"));
  }
  return text;
}

// Validates before delegating, so that the over-budget error can name the services.
std::uint64_t checked_stack_cost(const ComposeModel& stack, std::uint64_t budget_bytes)
{
  const std::uint64_t cost = stack.memory_limit_bytes();
  if (cost > budget_bytes) {
    throw UsageError("one stack may use up to " + format_bytes(cost) + " (" +
                     describe_services(stack) + "), more than the memory budget of " +
                     format_bytes(budget_bytes) + ": " + budget_hint());
  }
  std::vector<std::string> unlimited;
  for (const ResolvedService& service : stack.services) {
    if (service.memory_limit_bytes == 0) {
      unlimited.push_back(service.name);
    }
  }
  if (!unlimited.empty()) {
    std::string names;
    for (const std::string& name : unlimited) {
      names += (names.empty() ? "" : ", ") + name;
    }
    spdlog::warn("services without a memory limit do not count against the memory budget: {}",
                 names);
  }
  return cost;
}

}  // namespace

AdmissionTicket::~AdmissionTicket()
{
  release();
}

AdmissionTicket::AdmissionTicket(AdmissionTicket&& other) noexcept
  : m_gate(std::exchange(other.m_gate, nullptr))
{
}

AdmissionTicket& AdmissionTicket::operator=(AdmissionTicket&& other) noexcept
{
  if (this != &other) {
    release();
    m_gate = std::exchange(other.m_gate, nullptr);
  }
  return *this;
}

bool AdmissionTicket::holds() const
{
  return m_gate != nullptr;
}

void AdmissionTicket::release() noexcept
{
  if (StackAdmission* gate = std::exchange(m_gate, nullptr)) {
    gate->release();
  }
}

StackAdmission::StackAdmission(std::uint64_t budget_bytes,
                               std::uint64_t stack_cost_bytes,
                               int parallel)
  : m_budget_bytes(budget_bytes),
    m_stack_cost_bytes(stack_cost_bytes),
    m_parallel(parallel)
{
  check_parallel(parallel);
  if (stack_cost_bytes > budget_bytes) {
    throw UsageError("one stack may use up to " + format_bytes(stack_cost_bytes) +
                     ", more than the memory budget of " + format_bytes(budget_bytes) + ": " +
                     budget_hint());
  }
  const std::uint64_t fitting =
    stack_cost_bytes == 0 ? static_cast<std::uint64_t>(parallel) : budget_bytes / stack_cost_bytes;
  m_max_concurrent = static_cast<int>(std::min<std::uint64_t>(fitting, parallel));
}

StackAdmission::StackAdmission(const ComposeModel& stack, std::uint64_t budget_bytes, int parallel)
  : StackAdmission(budget_bytes, checked_stack_cost(stack, budget_bytes), parallel)
{
}

void StackAdmission::watch_pressure(const MemoryPressure& pressure,
                                    std::function<void(const std::string&)> on_wait)
{
  std::lock_guard lock(m_mutex);
  m_pressure = &pressure;
  m_on_pressure_wait = std::move(on_wait);
}

int StackAdmission::max_concurrent_stacks() const
{
  return m_max_concurrent;
}

std::uint64_t StackAdmission::budget_bytes() const
{
  return m_budget_bytes;
}

std::uint64_t StackAdmission::stack_cost_bytes() const
{
  return m_stack_cost_bytes;
}

int StackAdmission::running_stacks() const
{
  std::lock_guard lock(m_mutex);
  return m_running;
}

std::uint64_t StackAdmission::bytes_in_use() const
{
  std::lock_guard lock(m_mutex);
  return static_cast<std::uint64_t>(m_running) * m_stack_cost_bytes;
}

AdmissionTicket StackAdmission::admit()
{
  return std::move(*admit_before(std::nullopt));
}

std::optional<AdmissionTicket> StackAdmission::try_admit_for(Milliseconds timeout)
{
  return admit_before(Clock::now() + timeout);
}

std::optional<AdmissionTicket> StackAdmission::admit_before(std::optional<Clock::time_point>
                                                              deadline)
{
  std::unique_lock lock(m_mutex);
  while (true) {
    if (interrupt_count() > 0) {
      throw Error(ExitCode::k_interrupted,
                  "interrupted while waiting for the memory budget to start a stack");
    }
    if (m_running < m_max_concurrent) {
      // Under pressure, a further stack waits for ours to end; the first one never waits, or a
      // host that is short of memory for other reasons would stall the run for good.
      const bool held_back = m_pressure != nullptr && m_running > 0 && m_pressure->below_floor();
      if (!held_back) {
        ++m_running;
        return AdmissionTicket(*this);
      }
      if (!m_pressure_reported) {
        m_pressure_reported = true;
        const std::optional<std::uint64_t> available = m_pressure->available_bytes();
        const std::string message =
          "memory pressure: " + m_pressure->available_name() + " " + (available ? format_bytes(*available) : "unknown") +
          " is below the floor of " + format_bytes(m_pressure->floor_bytes()) +
          "; further stacks wait until running ones end or memory frees up";
        if (m_on_pressure_wait) {
          // The callback may print or log; never call out with our lock held.
          const auto callback = m_on_pressure_wait;
          lock.unlock();
          callback(message);
          lock.lock();
          continue;
        }
      }
    }
    auto wake_at = Clock::now() + k_poll_interval;
    if (deadline) {
      if (Clock::now() >= *deadline) {
        return std::nullopt;
      }
      wake_at = std::min(wake_at, *deadline);
    }
    m_released.wait_until(lock, wake_at);
  }
}

void StackAdmission::release() noexcept
{
  {
    std::lock_guard lock(m_mutex);
    --m_running;
  }
  // All waiters: one may be held back by pressure while another could go.
  m_released.notify_all();
}

std::string StackAdmission::capped_message()
{
  if (m_max_concurrent >= m_parallel || m_cap_reported.exchange(true)) {
    return "";
  }
  return "memory budget " + format_bytes(m_budget_bytes) + " allows " +
         std::to_string(m_max_concurrent) + " of --parallel " + std::to_string(m_parallel) +
         " stacks (each up to " + format_bytes(m_stack_cost_bytes) + "); the other shards queue";
}

}  // namespace orchestrate
