#pragma once

#include "pool/PoolInventory.hpp"

#include <filesystem>
#include <string>

namespace orchestrate {

// The pool keeper: a small host-side process that owns the deadlines of one environment's warm
// stacks, so that they are removed when their deadline passes even if no orchestrate command runs
// again (`orchestrate cleanup`, on a timer, is the backstop). It is this binary, re-executed as
// `orchestrate __pool-keeper --prefix P --env E --pool-dir D --lock-dir L`, in its own session.
// At most one keeper per environment: it holds <lock_dir>/pool-keeper/<env>.lock. It exits once
// the pool is empty; runs that return or claim stacks start one again (ensure_pool_keeper).

// The keeper's loop: takes its lock (returns 0 at once when another keeper holds it), then every
// `poll` (or sooner, at the earliest deadline) removes the expired, unclaimed stacks of `place`
// (sweep_pool). Returns 0 when the pool is empty, 3 when the engine has not answered for
// `give_up_after` (then `cleanup` is the backstop). Logs what it removed to stderr.
int run_pool_keeper(const PoolPlace& place, Milliseconds poll = Milliseconds(2'000),
                    Milliseconds give_up_after = Milliseconds(600'000));

// Starts a keeper for `place` unless one holds the keeper lock already. Its stderr goes to
// <pool_dir>/keeper.log. Never throws (a keeper that cannot start is logged: the stacks are then
// removed by `cleanup` or the next --reuse run).
void ensure_pool_keeper(const PoolPlace& place) noexcept;

// <lock_dir>/pool-keeper/<env>.lock.
std::filesystem::path pool_keeper_lock_path(const PoolPlace& place);

}  // namespace orchestrate
