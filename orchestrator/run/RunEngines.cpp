#include "run/RunEngines.hpp"

namespace orchestrate {

RunEngines::RunEngines(const std::vector<EngineEndpoint>& endpoints)
{
  for (const auto& endpoint : endpoints) {
    m_engines.emplace_back(endpoint);
  }
}

std::vector<DockerEngine*> RunEngines::all()
{
  std::vector<DockerEngine*> engines;
  for (auto& engine : m_engines) {
    engines.push_back(&engine);
  }
  return engines;
}

std::vector<EngineEndpoint> RunEngines::endpoints() const
{
  std::vector<EngineEndpoint> endpoints;
  for (const auto& engine : m_engines) {
    endpoints.push_back(engine.endpoint());
  }
  return endpoints;
}

std::vector<std::uint64_t> RunEngines::budgets(std::uint64_t run_budget) const
{
  std::vector<std::uint64_t> budgets;
  for (const auto& engine : m_engines) {
    budgets.push_back(engine.endpoint().memory_budget_bytes.value_or(run_budget));
  }
  return budgets;
}

void RunEngines::leave_out_silent_engines(const std::function<void(const std::string&)>& warn)
{
  leave_out_engines(
    [](DockerEngine& engine) -> std::optional<std::string> {
      if (engine.ping()) {
        return std::nullopt;
      }
      return "engine " + engine.endpoint().name + " (" + engine.endpoint().host +
             ") does not answer: this run places no stack on it";
    },
    warn);
}

void RunEngines::leave_out_engines(
  const std::function<std::optional<std::string>(DockerEngine&)>& verdict,
  const std::function<void(const std::string&)>& warn)
{
  for (auto engine = std::next(m_engines.begin()); engine != m_engines.end();) {
    const auto line = verdict(*engine);
    if (!line) {
      ++engine;
      continue;
    }
    warn(*line);
    engine = m_engines.erase(engine);
  }
}

void RunEngines::for_each(const std::function<void(DockerEngine&)>& each,
                          const std::function<void(const std::string&)>& warn)
{
  for (auto& engine : m_engines) {
    try {
      each(engine);
    } catch (const std::exception& error) {
      warn("engine " + engine.endpoint().name + ": " + error.what());
    }
  }
}

}  // namespace orchestrate
