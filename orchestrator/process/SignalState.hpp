#pragma once

#include "core/Error.hpp"

#include <string>

namespace orchestrate {

// Records SIGINT, SIGTERM and SIGHUP. The handlers only increment a `volatile sig_atomic_t`; all
// real work (teardown) happens in normal code that polls interrupt_count().
//
//   1 signal:  graceful: stop dispatching, stop tests, tear down stacks normally;
//   2 signals: faster: teardown with no stop grace (`down -t 0`);
//   3 signals: immediate forced removal through the Engine API, then exit.

// Installs the handlers (sigaction, no SA_RESTART). Call once from main. Throws InternalError if
// sigaction fails.
void install_signal_handlers();

// How many of those signals have arrived since start (or the last reset).
int interrupt_count();

// The last signal number received, 0 if none.
int last_signal();

// A stop that is not the user's interrupt: -x / --maxfail reached. Running children are stopped
// (ChildProcess::wait treats it like an interrupt) and no more work is dispatched, but the exit
// code stays the tests' own. Thread-safe; reset with reset_interrupts().
void request_stop();
bool stop_requested();

// True when children should be stopped now: an interrupt arrived or a stop was requested.
bool should_stop_children();

// stdout's reader is gone (a write failed with EPIPE): counts as one interrupt, so the run stops
// and tears down as on Ctrl-C and exits 2. Idempotent; safe from any thread (not a handler).
void interrupt_for_lost_output();

// What interrupted the run, for its closing lines: "SIGINT", "SIGTERM", "the output was closed
// (EPIPE on stdout)"; "stopped" when nothing did.
std::string describe_interrupt();

// Work stopped because the run was interrupted (Ctrl-C during the collection): exit code 2.
class InterruptedError : public Error
{
public:
  explicit InterruptedError(const std::string& message) : Error(ExitCode::k_interrupted, message)
  {
  }
};

// For tests only: pretend `count` signals arrived / forget them (and any stop request).
void simulate_interrupts(int count, int signal_number);
void reset_interrupts();

}  // namespace orchestrate
