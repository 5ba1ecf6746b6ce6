#include "runners/BatchResults.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace orchestrate {

BatchResults::BatchResults(const BatchRequest& request)
  : m_requested(request.test_ids),
    m_pending(request.test_ids)
{
}

std::size_t BatchResults::add(std::vector<TestResult> results)
{
  const std::set<std::string> requested(m_requested.begin(), m_requested.end());
  std::size_t added = 0;
  for (auto& result : results) {
    if (requested.count(result.id) != 0 && m_reported.insert(result.id).second) {
      m_results.push_back(std::move(result));
      ++added;
    }
  }
  std::erase_if(m_pending, [&](const std::string& id) { return m_reported.count(id) != 0; });
  return added;
}

bool BatchResults::has_result(const std::string& id) const
{
  return m_reported.count(id) != 0;
}

std::vector<TestResult> BatchResults::finish(const std::string& cause) &&
{
  add_missing_results(m_requested, cause, m_results);
  return std::move(m_results);
}

void prepare_restart(const std::string& what, std::size_t pending, BatchRequest& current)
{
  spdlog::debug("{}; running the batch's {} other tests in a new process", what, pending);
  note_in_log(current.log_file, what + "; the batch's " + std::to_string(pending) +
                                  " remaining tests go on in a new process");
  if (current.before_restart) {
    current.before_restart(current.environment);
  }
}

}  // namespace orchestrate
