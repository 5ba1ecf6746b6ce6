#include "run/StartSlots.hpp"

#include "core/Error.hpp"
#include "process/SignalState.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

namespace orchestrate {

namespace {

// interrupt_count() is written by a signal handler, which cannot notify a condition variable:
// waiting shards look at it this often (as StackAdmission's do).
constexpr Milliseconds k_stop_poll(100);

Milliseconds milliseconds_between(StartSlots::Clock::time_point from,
                                  StartSlots::Clock::time_point to)
{
  return std::chrono::duration_cast<Milliseconds>(to - from);
}

}  // namespace

StartSlot::StartSlot(StartSlots& slots, std::uint64_t id)
  : m_slots(&slots),
    m_id(id),
    m_exceptions_at_start(std::uncaught_exceptions())
{
}

StartSlot::~StartSlot()
{
  release();
}

StartSlot::StartSlot(StartSlot&& other) noexcept
  : m_slots(std::exchange(other.m_slots, nullptr)),
    m_id(other.m_id),
    m_exceptions_at_start(other.m_exceptions_at_start)
{
}

StartSlot& StartSlot::operator=(StartSlot&& other) noexcept
{
  if (this != &other) {
    release();
    m_slots = std::exchange(other.m_slots, nullptr);
    m_id = other.m_id;
    m_exceptions_at_start = other.m_exceptions_at_start;
  }
  return *this;
}

bool StartSlot::holds() const
{
  return m_slots != nullptr;
}

void StartSlot::release() noexcept
{
  if (m_slots == nullptr) {
    return;
  }
  // Ended by an exception (up or the readiness gate failed, an interrupt): not a ready time.
  const bool became_ready = std::uncaught_exceptions() <= m_exceptions_at_start;
  std::exchange(m_slots, nullptr)->release(m_id, became_ready);
}

StartSlots::StartSlots(int slots, std::string engine, std::function<Clock::time_point()> now,
                       Milliseconds order_window)
  : m_slots(slots),
    m_engine(std::move(engine)),
    m_now(std::move(now)),
    m_order_window_end(m_now() + order_window)
{
  if (slots < 0) {
    throw InternalError("start slots must be 0 (unlimited) or more, got " + std::to_string(slots));
  }
  spdlog::debug("engine {}: {} stacks start at once", m_engine,
                slots == 0 ? std::string("any number of") : "at most " + std::to_string(slots));
}

int StartSlots::slots() const
{
  return m_slots;
}

Milliseconds StartSlots::hold_bound() const
{
  const std::lock_guard lock(m_mutex);
  return hold_bound_locked();
}

Milliseconds StartSlots::hold_bound_locked() const
{
  if (m_ready_times.empty()) {
    return k_initial_hold_bound;
  }
  auto times = m_ready_times;
  const auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), middle, times.end());
  return std::max(k_min_hold_bound, *middle * 2);
}

int StartSlots::active_holds() const
{
  const std::lock_guard lock(m_mutex);
  const auto now = m_now();
  const auto bound = hold_bound_locked();
  return static_cast<int>(std::count_if(m_holds.begin(), m_holds.end(), [&](const auto& entry) {
    return milliseconds_between(entry.second.since, now) < bound;
  }));
}

int StartSlots::waiting() const
{
  const std::lock_guard lock(m_mutex);
  return static_cast<int>(m_waiting.size());
}

int StartSlots::active_holds_locked(Clock::time_point now)
{
  const auto bound = hold_bound_locked();
  int active = 0;
  for (auto& [id, hold] : m_holds) {
    if (milliseconds_between(hold.since, now) < bound) {
      ++active;
    } else if (!hold.past_bound_said) {
      hold.past_bound_said = true;
      spdlog::debug("shard {}: its stack is not ready after {} ms: its start slot on engine {} "
                    "goes to the next shard",
                    hold.shard, bound.count(), m_engine);
    }
  }
  return active;
}

bool StartSlots::may_start_locked(const std::pair<int, std::uint64_t>& waiter)
{
  if (m_slots == 0 || waiter.first == 1) {
    return true;  // unlimited, or shard 1, whose collection every other shard waits for
  }
  // In shard order: only the lowest waiting shard may take a free slot, and at the start only
  // once every lower shard asked (or the order window is over).
  if (*m_waiting.begin() != waiter) {
    return false;
  }
  const auto now = m_now();
  if (now < m_order_window_end) {
    for (int lower = 1; lower < waiter.first; ++lower) {
      if (m_asked.count(lower) == 0) {
        return false;
      }
    }
  }
  return active_holds_locked(now) < m_slots;
}

StartSlot StartSlots::acquire(int shard)
{
  return std::move(*acquire_before(shard, std::nullopt));
}

std::optional<StartSlot> StartSlots::try_acquire_for(int shard, Milliseconds timeout)
{
  return acquire_before(shard, Clock::now() + timeout);
}

std::optional<StartSlot> StartSlots::acquire_before(int shard,
                                                    std::optional<Clock::time_point> real_deadline)
{
  const auto stop_if_asked = [&] {
    if (should_stop_children()) {
      throw InterruptedError("interrupted (" + describe_interrupt() +
                             ") while waiting for a start slot on engine " + m_engine);
    }
  };
  stop_if_asked();
  if (m_slots == 0) {
    return StartSlot();
  }
  std::unique_lock lock(m_mutex);
  const std::pair<int, std::uint64_t> waiter{shard, m_next_id++};
  m_waiting.insert(waiter);
  m_asked.insert(shard);
  // Whichever way this ends, the next waiter may be the lowest now.
  struct LeaveQueue
  {
    StartSlots& slots;
    const std::pair<int, std::uint64_t>& waiter;
    ~LeaveQueue()
    {
      slots.m_waiting.erase(waiter);
      slots.m_changed.notify_all();
    }
  } leave{*this, waiter};
  bool said_waiting = false;
  while (true) {
    stop_if_asked();
    if (may_start_locked(waiter)) {
      m_holds[waiter.second] = Hold{shard, m_now()};
      return StartSlot(*this, waiter.second);
    }
    if (!said_waiting) {
      said_waiting = true;
      spdlog::debug("shard {}: waiting for a start slot on engine {} ({} at once)", shard,
                    m_engine, m_slots);
    }
    auto wake_at = Clock::now() + k_stop_poll;
    if (real_deadline) {
      if (Clock::now() >= *real_deadline) {
        return std::nullopt;
      }
      wake_at = std::min(wake_at, *real_deadline);
    }
    // Woken by a release or a waiter leaving; a hold passing its bound and a stop are seen at
    // the next poll.
    m_changed.wait_until(lock, wake_at);
  }
}

void StartSlots::release(std::uint64_t id, bool became_ready) noexcept
{
  {
    const std::lock_guard lock(m_mutex);
    const auto found = m_holds.find(id);
    if (found == m_holds.end()) {
      return;
    }
    if (became_ready) {
      m_ready_times.push_back(milliseconds_between(found->second.since, m_now()));
    }
    m_holds.erase(found);
  }
  m_changed.notify_all();
}

}  // namespace orchestrate
