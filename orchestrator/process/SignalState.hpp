#pragma once

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

// For tests only: pretend `count` signals arrived / forget them.
void simulate_interrupts(int count, int signal_number);
void reset_interrupts();

}  // namespace orchestrate
