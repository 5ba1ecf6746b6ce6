#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace orchestrate {

// What /proc/<pid>/stat says about a process (proc(5)), the fields we use.
struct ProcStat
{
  char state = '?';             // field 3: R, S, D, Z (zombie), X (dead), ...
  int parent_pid = 0;           // field 4
  int process_group = 0;        // field 5
  std::uint64_t start_ticks = 0;  // field 22: start time after boot, in clock ticks

  // A zombie has ended and only waits to be reaped: it runs nothing and holds no resources.
  bool is_running() const
  {
    return state != 'Z' && state != 'X';
  }
};

// The stat of process `pid`, or nullopt if there is no such process (or it cannot be parsed).
// Never throws.
std::optional<ProcStat> read_proc_stat(int pid);

// True if `pid` names a process that has not ended (a zombie has ended). Never throws.
bool process_is_running(int pid);

// The pids of the running (not zombie) processes in process group `pgid`. Never throws.
// Cheap when the group is empty (one kill(2)); otherwise scans /proc.
std::vector<int> running_group_members(int pgid);

}  // namespace orchestrate
