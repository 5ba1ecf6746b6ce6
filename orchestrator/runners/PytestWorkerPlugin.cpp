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
"""
import collections
import json
import os
import select
import socket
import sys

import pytest

import orchestrate_pytest_progress as progress

_MAX_OUTPUT = 64 * 1024


class _Channel:
    """The worker's own socket: stdout and stderr stay the tests' (they go to the shard log)."""

    def __init__(self, path):
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.connect(path)
        self._buffer = b""
        self._held = []
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
        commands = []
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


class _Worker:
    def __init__(self, config, channel):
        self._config = config
        self._channel = channel
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
    path = os.environ.get("ORCHESTRATE_PYTEST_WORKER_SOCKET")
    if not path:
        return
    channel = _Channel(path)
    config.pluginmanager.register(_Worker(config, channel), "orchestrate_worker")
    config._orchestrate_worker_channel = channel


def pytest_unconfigure(config):
    channel = getattr(config, "_orchestrate_worker_channel", None)
    if channel is not None:
        channel.close()
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
