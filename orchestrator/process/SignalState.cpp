#include "process/SignalState.hpp"

#include <atomic>

#include "core/Error.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstring>

namespace orchestrate {

namespace {

// Only these two are touched by the handler: sig_atomic_t is the one type a handler may write.
volatile std::sig_atomic_t g_interrupt_count = 0;
volatile std::sig_atomic_t g_last_signal = 0;
std::atomic<bool> g_stop_requested{false};

constexpr int k_handled_signals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void record_signal(int signal_number)
{
  // Plain assignment, not ++: increments of volatile objects are deprecated in C++20. The other
  // handled signals are blocked while this runs (sa_mask), so no increment is lost.
  g_interrupt_count = g_interrupt_count + 1;
  g_last_signal = signal_number;
}

}  // namespace

void install_signal_handlers()
{
  struct sigaction action;
  std::memset(&action, 0, sizeof(action));
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  for (int signal_number : k_handled_signals) {
    sigaddset(&action.sa_mask, signal_number);
  }
  // No SA_RESTART: a blocking call returns EINTR, so the code waiting in it sees the interrupt
  // promptly instead of only after the call ends.
  action.sa_flags = 0;
  for (int signal_number : k_handled_signals) {
    if (sigaction(signal_number, &action, nullptr) != 0) {
      throw InternalError(std::string("cannot install the handler for signal ")
                          + strsignal(signal_number) + ": " + std::strerror(errno));
    }
  }
  // A reader that goes away (`orchestrate ... | head -1`) must not kill the run with its stacks
  // up: with SIGPIPE ignored a write fails with EPIPE, which the reporter turns into an interrupt
  // (interrupt_for_lost_output), so the run tears down as on Ctrl-C.
  std::signal(SIGPIPE, SIG_IGN);
  spdlog::debug("signal handlers installed for SIGINT, SIGTERM and SIGHUP; SIGPIPE ignored");
}

int interrupt_count()
{
  return g_interrupt_count;
}

int last_signal()
{
  return g_last_signal;
}

void interrupt_for_lost_output()
{
  // Counted once, as one Ctrl-C: a graceful teardown. Later failed writes change nothing.
  if (g_interrupt_count == 0) {
    g_last_signal = SIGPIPE;
    g_interrupt_count = 1;
  }
}

std::string describe_interrupt()
{
  const int signal_number = g_last_signal;
  if (signal_number == SIGPIPE) {
    return "the output was closed (EPIPE on stdout)";
  }
  if (signal_number == 0) {
    return "stopped";
  }
  const char* name = ::sigabbrev_np(signal_number);
  return name != nullptr ? std::string("SIG") + name : "signal " + std::to_string(signal_number);
}

void simulate_interrupts(int count, int signal_number)
{
  g_interrupt_count = count;
  g_last_signal = signal_number;
}

void request_stop()
{
  g_stop_requested = true;
}

bool stop_requested()
{
  return g_stop_requested;
}

bool should_stop_children()
{
  return g_interrupt_count > 0 || g_stop_requested;
}

void reset_interrupts()
{
  g_stop_requested = false;
  g_interrupt_count = 0;
  g_last_signal = 0;
}

}  // namespace orchestrate
