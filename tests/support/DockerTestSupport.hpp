#pragma once

#include <string>
#include <vector>

namespace orchestrate {

class DockerEngine;

// A short random id for naming and labelling one test's Docker resources: "t" + 8 hex digits.
std::string unique_test_id();

// Runs `docker <args>` (no shell) and returns its stdout without surrounding whitespace. Throws
// std::runtime_error with the command, exit code, stdout and stderr when it exits non-zero.
std::string run_docker(const std::vector<std::string>& args);

// What is left on the engine that carries a label.
struct Leftovers
{
  std::vector<std::string> containers;  // names
  std::vector<std::string> networks;    // names
  std::vector<std::string> volumes;     // names

  bool empty() const;
  // "containers: a, b; networks: n; volumes: (none)", for assertion messages.
  std::string describe() const;
};

// Lists (through DockerEngine) every container, network and volume matching `label_filter`
// ("key=value" or "key"). Throws what DockerEngine throws.
Leftovers leftovers_with_label(const std::string& label_filter);
// The same on `engine` (another engine than the default one).
Leftovers leftovers_with_label(DockerEngine& engine, const std::string& label_filter);

// Removes, when destroyed or on remove_now(), every container, network and volume matching
// `label_filter`, and the containers added by id (for ones made without the label). Only for
// labels unique to one test. Never throws; what it could not remove shows up in leftovers.
class DockerCleanup
{
public:
  explicit DockerCleanup(std::string label_filter);
  ~DockerCleanup();

  DockerCleanup(const DockerCleanup&) = delete;
  DockerCleanup& operator=(const DockerCleanup&) = delete;

  void add_container(std::string id);
  void remove_now();

private:
  std::string m_label_filter;
  std::vector<std::string> m_container_ids;
};

}  // namespace orchestrate
