#pragma once

namespace orchestrate {

// The process exit codes, in one place. 0-5 are pytest's, so CI scripts written for pytest keep
// working; 6 and 7 say why nothing ran at all; 128+n is death by signal n (the shell's convention).
enum class ExitCode : int {
  k_all_passed = 0,
  k_tests_failed = 1,
  k_interrupted = 2,
  k_internal_error = 3,
  k_usage_error = 4,
  k_no_tests_collected = 5,
  k_environment_busy = 6,    // the environment lock was not free within --lock-timeout
  k_docker_unavailable = 7,  // preflight: no engine, no compose v2, not enough memory or disk
};

inline int to_int(ExitCode code)
{
  return static_cast<int>(code);
}

}  // namespace orchestrate
