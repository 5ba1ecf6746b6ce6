#pragma once

#include "docker/DockerEngine.hpp"
#include "docker/EngineEndpoint.hpp"

#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// The Docker engines of one run (docs/scale-out.md): the first is its main engine (preflight, the
// memory monitor, the only one of a single-engine run); a run with several places its stacks on
// all of them (EnginePlacement). Owns the DockerEngine objects, which stay where they are for the
// whole run (a list), so that references to them stay valid also when an engine is left out.
class RunEngines
{
public:
  // Connects to nothing yet (an ssh:// engine starts its dialer). `endpoints` not empty.
  explicit RunEngines(const std::vector<EngineEndpoint>& endpoints);

  DockerEngine& main()
  {
    return m_engines.front();
  }

  bool several() const
  {
    return m_engines.size() > 1;
  }

  std::vector<DockerEngine*> all();
  std::vector<EngineEndpoint> endpoints() const;

  // Each engine's memory budget: its own `memory_budget`, else `run_budget`.
  std::vector<std::uint64_t> budgets(std::uint64_t run_budget) const;

  // Leaves out the engines after the first that do not answer now, each with one line to `warn`
  // (the main engine's preflight judges it). Never throws.
  void leave_out_silent_engines(const std::function<void(const std::string&)>& warn);

  // Leaves out the engines after the first for which `verdict` gives a line, saying it to `warn`:
  // the run places no stack on them. The main engine is never left out.
  void leave_out_engines(const std::function<std::optional<std::string>(DockerEngine&)>& verdict,
                         const std::function<void(const std::string&)>& warn);

  // Calls `each` for every engine, in order; an exception from one is given to `warn` with the
  // engine's name and does not stop the others.
  void for_each(const std::function<void(DockerEngine&)>& each,
                const std::function<void(const std::string&)>& warn);

private:
  std::list<DockerEngine> m_engines;
};

}  // namespace orchestrate
