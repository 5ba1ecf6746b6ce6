#pragma once

#include "process/Fd.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace orchestrate {

// The exclusive right to use, reset or remove one warm stack: flock(2) on
// <lock_dir>/pool/<stack>.lock. The kernel releases it however the holder ends (kill -9
// included), so a claim never outlives its run; the descriptor is close-on-exec, so no child
// keeps it. Runs, the pool keeper, `cleanup` and `pool down` all take it before they touch a pool
// stack, so two of them never act on one stack at once.
//
// Move-only; the destructor releases the claim.
class StackClaim
{
public:
  // Claims `stack` without waiting and records this process as the holder in the lock file.
  // nullopt when another process (or another claim of this one) holds it. Throws UsageError when
  // the lock file cannot be created or is refused (a symlink, not ours: open_owned_file).
  static std::optional<StackClaim> try_claim(const std::filesystem::path& lock_dir,
                                             const std::string& stack);

  // Who claims `stack` right now, as "pid N on HOST since T"; "" when nobody does. Takes no claim
  // (tests with a shared lock, dropped at once). Never throws.
  static std::string holder(const std::filesystem::path& lock_dir, const std::string& stack);

  // Deletes the lock file, then releases the claim: only once the stack and its record are gone.
  // A process that opened the file before and takes the lock afterwards finds no record, so it
  // never takes the stack for a pool member. Never throws.
  void release_and_remove_file() noexcept;

  const std::string& stack() const
  {
    return m_stack;
  }

  StackClaim(StackClaim&&) noexcept = default;
  StackClaim& operator=(StackClaim&&) noexcept = default;
  StackClaim(const StackClaim&) = delete;
  StackClaim& operator=(const StackClaim&) = delete;
  ~StackClaim() = default;  // closing the descriptor releases the flock

private:
  StackClaim(Fd fd, std::string stack, std::filesystem::path path);

  Fd m_fd;
  std::string m_stack;
  std::filesystem::path m_path;
};

// <lock_dir>/pool/<stack>.lock.
std::filesystem::path stack_claim_path(const std::filesystem::path& lock_dir,
                                       const std::string& stack);

}  // namespace orchestrate
