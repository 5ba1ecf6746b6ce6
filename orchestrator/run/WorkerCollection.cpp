#include "run/WorkerCollection.hpp"

#include "process/SignalState.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace orchestrate {

void WorkerCollection::deliver(std::vector<std::string> ids)
{
  std::lock_guard lock(m_mutex);
  if (!m_settled) {
    m_settled = true;
    m_ids = std::move(ids);
    m_changed.notify_all();
  }
}

void WorkerCollection::give_up(const std::string& why)
{
  std::lock_guard lock(m_mutex);
  if (!m_settled) {
    spdlog::debug("collection: the first worker cannot give it ({}); collecting centrally", why);
    m_settled = true;
    m_changed.notify_all();
  }
}

std::optional<std::vector<std::string>> WorkerCollection::wait()
{
  std::unique_lock lock(m_mutex);
  // Woken every 100 ms to look at Ctrl-C: a signal handler cannot notify a condition variable.
  while (!m_changed.wait_for(lock, std::chrono::milliseconds(100), [this] { return m_settled; })) {
    if (interrupt_count() > 0) {
      throw InterruptedError("interrupted (" + describe_interrupt() + ") while collecting suite '" +
                             m_suite + "'");
    }
  }
  return m_ids;
}

}  // namespace orchestrate
