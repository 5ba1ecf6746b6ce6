#include "runners/PytestWorkerPlugin.hpp"

#include "core/Error.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <string>

namespace orchestrate {

namespace {

// Kept in the binary, like the progress plugin. Python 3.7+ and pytest 7 hooks only; no
// third-party imports. It imports the progress plugin's module (always written beside it) to
// share how a report's failure text and the log's size are read.
constexpr std::string_view k_plugin_source = R"PY("""orchestrate's worker plugin for pytest.

Loaded with `-p orchestrate_pytest_worker` and the unix socket named by
ORCHESTRATE_PYTEST_WORKER_SOCKET. The process collects once, then runs the node ids orchestrate
sends, in order, until it is told to shut down. See docs/worker-protocol.md.

Commands (JSON lines from orchestrate):
  {"command": "run", "ids": [...]}   queue these tests
  {"command": "shutdown"}            run what is queued, then end the session
  {"command": "flush"}               run what is queued now (the last without a next test),
                                     then wait for more
  {"command": "environment", "set": {...}}  set these in os.environ before the next test
Events (JSON lines to orchestrate, as they happen):
  {"event": "collected", "ids": [...], "errors": [{"nodeid", "longrepr"}]}
  {"event": "start" | "result" | "finish", ...}   as the progress plugin writes them, plus
                                                   "output" (captured output) on results;
                                                   log offsets only with -s
  {"event": "not_found", "nodeid": ...}           an id that was not collected; not queued
  {"event": "need_more", "queued": n}             waiting: fewer than two tests queued

Parked (a warm worker, docs/warm-stacks.md): with ORCHESTRATE_PYTEST_WORKER_LISTEN_FD instead of
..._SOCKET the worker listens on that inherited socket, collects, and waits (until the unix time in
ORCHESTRATE_PYTEST_WORKER_IDLE_UNTIL) for a later run to connect and send
  {"command": "adopt", "log": path, "set": {...}}
It answers {"event": "stale", "reason": ...} and exits when a file it imported or collected changed
since, or when its imports read a variable named in ORCHESTRATE_PYTEST_WORKER_RUN_VARIABLES whose
value in `set` is another (the run that parked it set it); else it writes to `log` from now on, sets `set` in
os.environ and goes on as above, starting with "collected".
"""
import collections
import json
import os
import select
import signal
import socket
import sys
import threading
import time

import pytest

import orchestrate_pytest_progress as progress

_MAX_OUTPUT = 64 * 1024


class _RecordingEnviron(os._Environ):
    """os.environ while a parked worker imports and collects: notes which of the run's own
    variables were read (a module that keeps their values cannot serve another run)."""
    watched = frozenset()
    read = set()

    def __getitem__(self, key):
        if key in _RecordingEnviron.watched:
            _RecordingEnviron.read.add(key)
        return super().__getitem__(key)


_LISTEN = os.environ.get("ORCHESTRATE_PYTEST_WORKER_LISTEN_FD")
if _LISTEN:
    # At import (-p loads us before any conftest), so that conftests' imports are seen too.
    _RecordingEnviron.watched = frozenset(
        filter(None, os.environ.get("ORCHESTRATE_PYTEST_WORKER_RUN_VARIABLES", "").split(",")))
    os.environ.__class__ = _RecordingEnviron


def _file_state(path):
    try:
        state = os.stat(path)
    except OSError:
        return None
    return (state.st_mtime_ns, state.st_size, state.st_ino)


def _fingerprint(config):
    """What the worker's imports and collection depend on: every imported module's file, every
    directory and source file under the paths it collected, and its ini file."""
    files = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str):
            files[path] = _file_state(path)
    for argument in config.args:
        top = os.path.join(str(config.invocation_params.dir), argument.split("::")[0])
        files[top] = _file_state(top)
        for directory, subdirectories, names in os.walk(top):
            subdirectories[:] = [name for name in subdirectories
                                 if name != "__pycache__" and not name.startswith(".")]
            # A directory's own time changes when a file is added, removed or renamed in it.
            files[directory] = _file_state(directory)
            for name in names:
                if name.endswith((".py", ".ini", ".toml", ".cfg", ".json", ".yaml", ".yml")):
                    path = os.path.join(directory, name)
                    files[path] = _file_state(path)
    if config.inipath:
        files[str(config.inipath)] = _file_state(str(config.inipath))
    return files


def _changed(fingerprint):
    for path, state in fingerprint.items():
        if _file_state(path) != state:
            return path
    return None


def _redirect_output(path):
    """From now on everything that went to the park log goes to `path`: stdout, stderr and every
    copy of them pytest keeps (its capture's saved descriptors, faulthandler's)."""
    sys.stdout.flush()
    sys.stderr.flush()
    old = os.fstat(1)
    target = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd == target:
            continue
        try:
            state = os.fstat(fd)
        except OSError:
            continue
        if (state.st_dev, state.st_ino) == (old.st_dev, old.st_ino):
            os.dup2(target, fd, inheritable=fd <= 2)
    os.close(target)


class _Channel:
    """The worker's own socket: stdout and stderr stay the tests' (they go to the shard log)."""

    def __init__(self, path, connected=None):
        if connected is not None:
            self._socket = connected
        else:
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._socket.connect(path)
        self._buffer = b""
        self._held = []
        self.pending = []  # commands read with the adoption, not handled yet
        self.closed = False

    def send(self, record, now=True):
        """Sends `record` with those held before it; `now=False` holds it for the next send.
        A phase's result can wait for the test's `finish` (a worker that dies mid-test loses it,
        and orchestrate then fails the test from its `start`): two writes a test instead of five,
        which is most of the protocol's cost on tests of a millisecond."""
        self._held.append(json.dumps(record) + "\n")
        if not now or self.closed:
            return
        data = "".join(self._held).encode("utf-8")
        self._held = []
        try:
            self._socket.sendall(data)
        except OSError:
            # Orchestrate is gone: the command loop sees a closed channel and stops.
            self.closed = True

    def receive(self, block):
        """The commands received so far; with `block`, waits for at least one (or the end)."""
        commands, self.pending = self.pending, []
        while not self.closed:
            timeout = None if block and not commands else 0
            readable, _, _ = select.select([self._socket], [], [], timeout)
            if not readable:
                break
            data = self._socket.recv(65536)
            if not data:
                self.closed = True
                break
            self._buffer += data
            *lines, self._buffer = self._buffer.split(b"\n")
            for line in lines:
                try:
                    commands.append(json.loads(line))
                except ValueError:
                    sys.stderr.write("orchestrate worker: ignoring command %r\n" % line[:200])
        return commands

    def close(self):
        self.closed = True
        self._socket.close()


def _tail(text):
    if len(text) <= _MAX_OUTPUT:
        return text
    left_out = len(text) - _MAX_OUTPUT
    return "[... %d characters of output left out ...]\n%s" % (left_out, text[left_out:])


def _end_with_the_run(connection):
    """An adopted worker is not the adopting run's child: the kernel would not end it with the
    run (a worker orchestrate starts has PR_SET_PDEATHSIG). So it ends itself, with what its tests
    started, as soon as the run's end of the socket closes, even in the middle of a test."""
    def watch():
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLRDHUP)
        while True:
            events = [event for _, event in poller.poll()]
            if any(event & select.POLLNVAL for event in events):
                return  # we closed it ourselves: the session is ending
            if any(event & (select.POLLRDHUP | select.POLLHUP | select.POLLERR)
                   for event in events):
                os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="orchestrate-run-watch", daemon=True).start()


def _wait_for_adoption(config, listener):
    """A parked worker: waits for the run that claims its stack, checks that it is still what
    that run would start, and hands over. Exits the process when nobody comes in time or when
    it is stale."""
    os.environ.__class__ = os._Environ
    fingerprint = _fingerprint(config)
    ready = os.environ.get("ORCHESTRATE_PYTEST_WORKER_READY_FILE")
    if ready:
        with open(ready, "w") as marker:
            marker.write("%d\n" % os.getpid())
    idle_until = float(os.environ.get("ORCHESTRATE_PYTEST_WORKER_IDLE_UNTIL", "0") or 0)
    while True:
        left = idle_until - time.time()
        if left <= 0:
            os._exit(0)  # nothing was set up: no fixture to tear down
        readable, _, _ = select.select([listener], [], [], min(left, 60))
        if not readable:
            continue
        try:
            connection, _ = listener.accept()
        except OSError:
            continue
        listener.close()  # one run only: nobody else may connect and pose as it
        channel = _Channel(None, connected=connection)
        commands = channel.receive(block=True)
        adopt = commands[0] if commands else {}
        if adopt.get("command") != "adopt":
            os._exit(0)
        reason = None
        changed = _changed(fingerprint)
        if changed:
            reason = "%s changed since it was imported" % changed
        else:
            # A value read at import that this run shares (the same shard count, often the same
            # shard index) is no reason to refuse.
            given = adopt.get("set", {})
            differing = sorted(name for name in _RecordingEnviron.read
                               if os.environ.get(name) != given.get(name))
            if differing:
                reason = "its imports read %s, which this run sets otherwise" % ", ".join(differing)
        if reason:
            channel.send({"event": "stale", "reason": reason})
            channel.close()
            os._exit(0)
        _end_with_the_run(connection)
        _redirect_output(adopt["log"])
        os.environ.update(adopt.get("set", {}))
        # The summary's "in N s" counts from the adoption, not from when we were parked.
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and hasattr(reporter, "_sessionstarttime"):
            reporter._sessionstarttime = time.time()
        for command in commands[1:]:
            channel.pending.append(command)
        return channel


class _Worker:
    def __init__(self, config, channel, listener=None):
        self._config = config
        self._channel = channel
        self._listener = listener
        self._collection_errors = []
        # With -s the tests write straight to our stdout, the shard log: its size marks where a
        # test's output starts, which orchestrate reads back for a test that never finishes.
        # The progress plugin's module measures it; it is imported, not loaded, so we say when.
        progress._output_is_log = config.getoption("capture") == "no"

    def pytest_collectreport(self, report):
        if report.failed:
            self._collection_errors.append({"nodeid": report.nodeid,
                                            "longrepr": str(report.longrepr)})

    def pytest_collection_finish(self, session):
        if self._channel is None:
            self._channel = _wait_for_adoption(self._config, self._listener)
        self._channel.send({"event": "collected",
                            "ids": [item.nodeid for item in session.items],
                            "errors": self._collection_errors})

    # tryfirst and returning True: this loop replaces pytest's, which would run every collected
    # test (and stop at collection errors, which orchestrate reports itself).
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        items = {}
        for item in session.items:
            items.setdefault(item.nodeid, item)
        queue = collections.deque()
        shutdown = False
        # After "flush": run what is queued, the last without a next test, then wait again.
        flushing = False
        asked_with = None  # how many were queued when we last said we wait
        while True:
            # A test runs only once the next one is known (or none will come), so that its
            # teardown keeps the fixtures the next test shares (pytest's nextitem).
            must_wait = len(queue) < 2 and not shutdown and not (flushing and queue)
            if must_wait and asked_with != len(queue):
                self._channel.send({"event": "need_more", "queued": len(queue)})
                asked_with = len(queue)
            for command in self._channel.receive(block=must_wait):
                name = command.get("command")
                if name == "run":
                    for nodeid in command.get("ids", []):
                        if nodeid in items:
                            queue.append(items[nodeid])
                        else:
                            self._channel.send({"event": "not_found", "nodeid": nodeid})
                elif name == "shutdown":
                    shutdown = True
                elif name == "flush":
                    flushing = True
                elif name == "environment":
                    os.environ.update(command.get("set", {}))
            if self._channel.closed:
                # Orchestrate is gone: nobody would see another result.
                break
            if len(queue) >= 2 or ((shutdown or flushing) and queue):
                item = queue.popleft()
                nextitem = queue[0] if queue else None
                item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
                asked_with = None
            elif shutdown:
                break
            flushing = flushing and bool(queue)
        return True

    # trylast: after the terminal reporter has written the file name, so the output starts here.
    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logstart(self, nodeid, location):
        self._channel.send({"event": "start", "nodeid": nodeid,
                            "log_offset": progress._log_offset()})

    # A wrapper: with -s the phase's output ends before the terminal reporter writes its letter.
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_logreport(self, report):
        end = progress._log_offset()
        yield
        message, text = progress._texts(report)
        # Each report carries the sections of the phases before it too: keep this phase's.
        output = "".join("--- %s ---\n%s" % (title, content)
                         for title, content in report.sections
                         if title.endswith(" " + report.when) and content)
        self._channel.send({
            "event": "result",
            "nodeid": report.nodeid,
            "when": report.when,
            "outcome": report.outcome,
            "duration": report.duration,
            "message": message,
            "longrepr": text,
            "wasxfail": getattr(report, "wasxfail", None),
            "output": _tail(output),
            "log_offset": end,
        }, now=False)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logfinish(self, nodeid, location):
        self._channel.send({"event": "finish", "nodeid": nodeid})


def pytest_configure(config):
    if _LISTEN:
        # Parked: orchestrate made the socket we listen on before we started, so that a run
        # that claims the stack meanwhile could connect at once; it waits for the collection.
        listener = socket.socket(fileno=int(_LISTEN))
        listener.set_inheritable(False)
        worker = _Worker(config, None, listener)
        config.pluginmanager.register(worker, "orchestrate_worker")
        config._orchestrate_worker = worker
        return
    path = os.environ.get("ORCHESTRATE_PYTEST_WORKER_SOCKET")
    if not path:
        return
    worker = _Worker(config, _Channel(path))
    config.pluginmanager.register(worker, "orchestrate_worker")
    config._orchestrate_worker = worker


def pytest_unconfigure(config):
    worker = getattr(config, "_orchestrate_worker", None)
    if worker is not None and worker._channel is not None:
        worker._channel.close()
)PY";

}  // namespace

std::string_view PytestWorkerPlugin::source()
{
  return k_plugin_source;
}

std::filesystem::path write_worker_plugin(const std::filesystem::path& directory)
{
  const auto module = directory / (std::string(PytestWorkerPlugin::k_module) + ".py");
  std::ofstream file(module, std::ios::binary);
  file << PytestWorkerPlugin::source();
  file.close();
  if (!file) {
    throw InternalError("cannot write the pytest worker plugin " + module.string());
  }
  spdlog::debug("pytest worker plugin written to {}", module.string());
  return module;
}

}  // namespace orchestrate
