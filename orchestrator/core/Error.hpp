#pragma once

#include "core/ExitCode.hpp"

#include <stdexcept>
#include <string>

namespace orchestrate {

// The one error base type of the library. Library code throws it (never calls exit()); main catches
// it once, prints what() and exits with exit_code().
class Error : public std::runtime_error
{
public:
  Error(ExitCode exit_code, const std::string& message)
    : std::runtime_error(message),
      m_exit_code(exit_code)
  {
  }

  ExitCode exit_code() const
  {
    return m_exit_code;
  }

private:
  ExitCode m_exit_code;
};

// A mistake in what the user gave us: options, configuration files, compose files. Exit code 4.
class UsageError : public Error
{
public:
  explicit UsageError(const std::string& message) : Error(ExitCode::k_usage_error, message)
  {
  }
};

// A configuration file is wrong. The message starts with `path:line:` and says what was expected.
class ConfigError : public UsageError
{
public:
  explicit ConfigError(const std::string& message) : UsageError(message)
  {
  }
};

// Docker, compose or the machine is not in a state to run anything (preflight). Exit code 7.
class EnvironmentError : public Error
{
public:
  explicit EnvironmentError(const std::string& message)
    : Error(ExitCode::k_docker_unavailable, message)
  {
  }
};

// Something we drive (compose, the engine, a runner) failed in a way that is not the tests' fault.
class InternalError : public Error
{
public:
  explicit InternalError(const std::string& message) : Error(ExitCode::k_internal_error, message)
  {
  }
};

}  // namespace orchestrate
