#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// The suite's test ids as the first shard's pytest worker collected them. A pytest run collects
// once per worker, not centrally and then again in every worker: on a suite of 10,000 tests the
// central `pytest --collect-only` alone costs seconds before any test could start.
//
// When the worker cannot tell (its stack did not come up, it died or timed out before
// collecting, some module failed to import), the run falls back to the central collection, which
// reports errors with pytest's own output as before. Thread-safe: a shard delivers, the run waits.
class WorkerCollection
{
public:
  explicit WorkerCollection(std::string suite) : m_suite(std::move(suite))
  {
  }

  // The worker's ids, in pytest's order. The first word (delivery or give_up) counts.
  void deliver(std::vector<std::string> ids);
  // The worker cannot give the collection; `why` is logged.
  void give_up(const std::string& why);

  // Blocks until delivered (the ids) or given up (nullopt). Throws InterruptedError on Ctrl-C.
  std::optional<std::vector<std::string>> wait();

private:
  std::string m_suite;  // for messages
  std::mutex m_mutex;
  std::condition_variable m_changed;
  bool m_settled = false;
  std::optional<std::vector<std::string>> m_ids;
};

}  // namespace orchestrate
