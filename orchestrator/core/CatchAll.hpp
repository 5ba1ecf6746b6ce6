#pragma once

#include <spdlog/spdlog.h>

#include <exception>
#include <string>
#include <string_view>

namespace orchestrate {

// What the exception being handled says: its what() for a std::exception, "unknown error" for
// anything else. Call only inside a catch block. Never throws.
inline std::string current_exception_message() noexcept
{
  try {
    throw;
  } catch (const std::exception& error) {
    return error.what();
  } catch (...) {
    return "unknown error";
  }
}

// Runs `body` and stops every exception it throws: logged as a warning that names `what`. For
// the body of a background thread (or one round of its loop), which must never let an exception
// reach std::terminate with stacks still up. Returns whether `body` finished without one.
template <typename Body>
bool run_catching_all(std::string_view what, Body&& body) noexcept
{
  try {
    body();
    return true;
  } catch (...) {
    try {
      spdlog::warn("{} failed: {}", what, current_exception_message());
    } catch (...) {
      // Logging itself failed (out of memory): nothing else to do.
    }
    return false;
  }
}

}  // namespace orchestrate
