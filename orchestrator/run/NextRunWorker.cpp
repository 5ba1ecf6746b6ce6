#include "run/NextRunWorker.hpp"

#include <algorithm>
#include <ctime>

namespace orchestrate {

NextRunWorker::NextRunWorker(std::filesystem::path directory,
                             const std::vector<FixtureConfig>& fixtures, Milliseconds ttl)
  : m_directory(std::move(directory)), m_fixtures(fixtures), m_ttl(ttl)
{
}

NextRunWorker::~NextRunWorker()
{
  if (m_parked && !m_handed_over) {
    stop_parked_worker(m_parked->escape_token);
  }
}

void NextRunWorker::plan(const PytestWorkerOptions& options,
                         const std::map<std::string, std::string>& environment)
{
  if (m_options) {
    return;
  }
  m_options = options;
  m_environment = environment;
  const bool ports_may_change =
    std::any_of(m_fixtures.begin(), m_fixtures.end(), [](const FixtureConfig& fixture) {
      return fixture.reset.kind == ResetSpec::Kind::k_recreate;
    });
  if (!ports_may_change) {
    const long long deadline = static_cast<long long>(std::time(nullptr)) + m_ttl.count() / 1000;
    m_parked = park_pytest_worker(options, environment, m_directory, deadline);
  }
}

std::string NextRunWorker::hand_over(const std::map<std::string, ReadyEndpoint>& endpoints,
                                     long long deadline)
{
  if (!m_options) {
    return {};
  }
  if (!m_parked) {
    // A recreated service may publish another port: the worker gets what the next run will see.
    auto environment = m_environment;
    for (const auto& fixture : m_fixtures) {
      for (auto& [name, value] : fixture_environment(fixture, endpoints.at(fixture.name))) {
        environment[name] = value;
      }
    }
    m_parked = park_pytest_worker(*m_options, environment, m_directory, deadline);
  }
  if (!m_parked) {
    return {};
  }
  m_handed_over = true;
  return m_parked->escape_token;
}

}  // namespace orchestrate
