#pragma once

#include "core/Quantities.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// How a fixture's service is judged ready.
struct ReadinessSpec
{
  enum class Kind {
    k_health,    // the container's healthcheck reports `healthy`
    k_port,      // the mapped host port accepts a TCP connection
    k_log_line,  // the service's log contains `log_pattern` (a substring)
  };
  Kind kind = Kind::k_health;
  std::string log_pattern;
};

// How a warm stack's fixture service is brought back to a clean state before a run that claimed
// the stack runs its first test (`reset:` in fixtures/<name>.yaml; see docs/warm-stacks.md).
struct ResetSpec
{
  enum class Kind {
    k_recreate,  // compose recreates the service's containers: safe for anything (the default)
    k_exec,      // `argv` runs inside the running container and must exit 0
    k_none,      // a stateless service: nothing to do
  };
  Kind kind = Kind::k_recreate;
  std::vector<std::string> argv;    // k_exec only
  Milliseconds timeout{60'000};     // k_exec only: how long the command may take
  int line = 0;                     // 1-based line of `reset`, 0 when absent, for messages
};

// fixtures/<name>.yaml: one service of the compose stack, seen from the tests.
struct FixtureConfig
{
  std::string name;                   // file stem
  std::filesystem::path source_path;  // the yaml file
  std::string service;                // compose service name
  int container_port = 0;             // the port inside the container that tests reach
  int service_line = 1;               // 1-based lines of `service` and `port`, for messages
  int port_line = 1;
  ReadinessSpec readiness;
  // Variables handed to tests. Values may use {host} and {port}: the mapped host address and port.
  std::map<std::string, std::string> environment;
  ResetSpec reset;  // how a claimed warm stack cleans this service (--reuse only)
};

// One test of a `command` suite: a name and an argv, run from the project root.
struct NamedCommand
{
  std::string name;
  std::vector<std::string> argv;
};

// suites/<name>.yaml: what to run and against which fixtures.
struct SuiteConfig
{
  std::string name;                   // file stem
  std::filesystem::path source_path;  // the yaml file
  std::string runner = "pytest";      // pytest | gtest | command
  std::vector<std::string> paths;     // pytest: test paths, relative to the project root
  std::vector<std::string> args;      // extra runner arguments, passed through
  std::vector<std::string> fixtures;  // fixture names; empty means no stack at all
  std::filesystem::path gtest_binary; // gtest: the test binary, relative to the project root
  std::vector<NamedCommand> commands; // command: one test each
  Milliseconds test_timeout{0};       // per test; 0 means the project default
  Milliseconds collect_timeout{0};    // the central collection; 0 means the project default
  std::optional<bool> reuse;          // `reuse:`; unset means the project default
};

}  // namespace orchestrate
