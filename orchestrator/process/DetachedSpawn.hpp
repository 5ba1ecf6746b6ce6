#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// How to start a process that must outlive the orchestrate process starting it: the reaper, the
// pool keeper, a warm pytest worker parked beside its stack for the next run.
struct DetachedSpawn
{
  std::vector<std::string> argv;         // argv[0] is a path (nothing is looked up)
  std::vector<std::string> environment;  // the whole environment, "NAME=value"; empty: ours
  std::filesystem::path working_directory;  // empty: ours
  // Its standard streams; -1: /dev/null. Duplicated in the child; the caller keeps its own.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  // Given to the program as descriptor 3 (a socket it listens on, made before it starts, so
  // that whoever connects early waits in its backlog); -1: none.
  int passed_fd = -1;
  // Non-empty: a small waiter (a forked copy of this process that calls only waitpid, open and
  // write) stays as the session's leader and the program's parent, and writes how the program
  // ended to this file ("exit N" or "signal N"), for whoever watches it later: it is nobody's
  // child they could wait for.
  std::filesystem::path exit_status_file;
};

// Starts `spawn` in a session of its own (setsid: no terminal signals, none of our process groups),
// with every other descriptor closed and no signal blocked, not killed when we end. Returns the
// pid of the session's leader: the program, or its waiter. The caller never reaps it (a waiter
// outlives us; a child of ours that ends before we do stays a zombie until we exit, which is
// harmless for these short-lived commands). Throws InternalError when fork fails; an exec that
// fails ends the child with 127 (written to exit_status_file when there is one).
int spawn_detached(const DetachedSpawn& spawn);

// How a detached program ended, from its waiter's file: {exit_code, signal} as in ProcessExit
// (exit_code 128+signal when killed); nullopt while the file is missing or incomplete.
struct DetachedExit
{
  int exit_code = 0;
  int signal = 0;
};
std::optional<DetachedExit> read_detached_exit(const std::filesystem::path& exit_status_file);

}  // namespace orchestrate
