#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace orchestrate {

// Processes that left their process group: a test's `subprocess.Popen(..., start_new_session=True)`
// or a daemon that double-forks with setsid(). Killing a child's process group misses them, so
// each child that asks for it (ProcessOptions::end_escaped) carries a token in its environment,
// inherited by everything it starts, however it detaches:
//
//   ORCHESTRATE_PROCESS_TOKEN=<orchestrate pid>.<start>-<n>
//
// When the child is stopped or destroyed, every process whose /proc/<pid>/environ holds that
// entry is killed. A process that rewrites its own environment block (rare; daemons keep it)
// would hide from this; a cgroup per shard would not, but needs cgroup v2 or a writable v1
// hierarchy, which a run cannot count on.
//
// orchestrate also becomes a child subreaper (PR_SET_CHILD_SUBREAPER) the first time a token is
// handed out, so that such orphans reparent to it rather than to PID 1 (which, in a container,
// may never reap): the ones it kills it reaps itself.

inline constexpr std::string_view k_process_token_variable = "ORCHESTRATE_PROCESS_TOKEN";

// A token no other child of any orchestrate on this host has. Makes this process a child
// subreaper (once). Never throws except std::bad_alloc.
std::string new_process_token();

// The pids of the processes (not zombies, never this one) whose environment holds
// `ORCHESTRATE_PROCESS_TOKEN=<token>`. A process that vanishes or cannot be read while we look is
// skipped. Never throws except std::bad_alloc.
std::vector<int> processes_with_token(const std::string& token);

// Kills (SIGKILL) every process carrying `token` and waits a bounded time for each to end,
// reaping those that reparented to us. Repeats the scan until none is left (a process may fork
// while we kill its parent), at most a few rounds. Returns how many it killed. Never throws.
int end_processes_with_token(const std::string& token) noexcept;

}  // namespace orchestrate
