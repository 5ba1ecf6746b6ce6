"""A child process whose wall time and CPU time the benchmark measures.

CPU time comes in two parts: `tree_cpu`, user+sys of the process and of every descendant it waited
for (the rusage that wait4 reports for this one child, so the benchmark's own sampler processes are
never counted), and `own_cpu`, user+sys of the process alone, read from /proc/<pid>/stat every
0.1 s until it exits. For orchestrate, own_cpu is the orchestrator's overhead and tree_cpu adds
pytest and the docker CLIs it ran.
"""

import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class ProcessResult:
    exit_code: int
    wall: float
    tree_cpu: float
    own_cpu: float


def _proc_stat_fields(pid):
    """The fields of /proc/<pid>/stat after the command name, so index 0 is field 3 (state)."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stream:
        text = stream.read()
    return text[text.rindex(")") + 2:].split()


def owner_label(pid):
    """What orchestrate puts in io.orchestrate.owner: host:pid:start_ticks (field 22)."""
    return f"{socket.gethostname()}:{pid}:{_proc_stat_fields(pid)[19]}"


class MeasuredProcess:
    """Starts `argv` at construction in a process group of its own (so the benchmark decides what
    reaches it, and can stop its whole tree), with stdout and stderr appended to `log_path`."""

    def __init__(self, argv, cwd, environment, log_path):
        self.argv = list(argv)
        self.log_path = log_path
        with open(log_path, "ab") as log:
            log.write(("$ " + " ".join(self.argv) + "\n").encode())
            log.flush()
            self._started = time.monotonic()
            self.started_epoch = time.time()
            self._popen = subprocess.Popen(self.argv, cwd=cwd, env=environment, stdout=log,
                                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                           process_group=0)
        self.pid = self._popen.pid
        self._own_cpu = 0.0
        self._done = threading.Event()
        self._poller = threading.Thread(target=self._poll_own_cpu, daemon=True)
        self._poller.start()
        self.result = None

    def _poll_own_cpu(self):
        while not self._done.is_set():
            try:
                fields = _proc_stat_fields(self.pid)
                self._own_cpu = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
            except (OSError, ValueError, IndexError):
                return
            self._done.wait(0.1)

    def wait(self, timeout=None):
        """Reaps the process; returns its ProcessResult, or None if `timeout` passed first."""
        if self.result is not None:
            return self.result
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            flags = 0 if deadline is None else os.WNOHANG
            pid, status, usage = os.wait4(self.pid, flags)
            if pid == self.pid:
                break
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.1)
        wall = time.monotonic() - self._started
        self._done.set()
        self._poller.join()
        exit_code = os.waitstatus_to_exitcode(status)
        # Popen must not reap a pid that is no longer ours.
        self._popen.returncode = exit_code
        self.result = ProcessResult(exit_code, wall, usage.ru_utime + usage.ru_stime,
                                    self._own_cpu)
        return self.result

    def send(self, signal_number):
        """Sends a signal to the process's whole group (pytest-xdist workers, compose plugins)."""
        try:
            os.killpg(self.pid, signal_number)
        except ProcessLookupError:
            pass

    def stop(self, grace):
        """Interrupts the process group as Ctrl-C would, waits up to `grace` seconds for the
        process to end (orchestrate tears its stacks down then), then kills the group."""
        if self.result is None:
            self.send(signal.SIGINT)
            if self.wait(grace) is None:
                self.send(signal.SIGKILL)
                self.wait()
        # Whatever the process left running in its group.
        self.send(signal.SIGKILL)

    def log_tail(self, lines=30):
        with open(self.log_path, encoding="utf-8", errors="replace") as stream:
            return "".join(stream.readlines()[-lines:])
