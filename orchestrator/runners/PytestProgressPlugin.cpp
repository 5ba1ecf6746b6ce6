#include "runners/PytestProgressPlugin.hpp"

#include "core/Error.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>
#include <utility>

namespace orchestrate {

namespace {

// Kept in the binary, so that orchestrate needs no files of its own next to it. Python 3.7+ and
// pytest 7 hooks only; no third-party imports.
constexpr std::string_view k_plugin_source = R"PY("""orchestrate's progress plugin for pytest.

Loaded with `-p orchestrate_pytest_progress`. Appends one JSON line per event to the file named
by ORCHESTRATE_PYTEST_PROGRESS and flushes it at once, so that orchestrate knows which test is
running (to enforce per-test timeouts) and keeps the results of a run that is killed before pytest
writes its JUnit XML.
"""
import json
import os
import sys
import time

import pytest

_path = os.environ.get("ORCHESTRATE_PYTEST_PROGRESS")
_stream = None
_output_is_log = False


def pytest_configure(config):
    global _output_is_log
    # With -s the tests write straight to our stdout, the shard log: its size marks where a
    # test's output starts and ends. Captured output lives elsewhere and has no offsets.
    _output_is_log = config.getoption("capture") == "no"


def _log_offset():
    if not _output_is_log:
        return None
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    try:
        return os.fstat(1).st_size
    except OSError:
        return None


def _write(record):
    global _stream
    if not _path:
        return
    if _stream is None:
        _stream = open(_path, "a", encoding="utf-8")
    _stream.write(json.dumps(record) + "\n")
    _stream.flush()


def _texts(report):
    longrepr = report.longrepr
    if longrepr is None:
        return "", ""
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        # A skip: (path, line, reason).
        return str(longrepr[2]), ""
    text = str(longrepr)
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message), text
    lines = [line for line in text.splitlines() if line.strip()]
    return (lines[0] if lines else ""), text


# trylast: after the terminal reporter has written the file name, so the test's output starts here.
@pytest.hookimpl(trylast=True)
def pytest_runtest_logstart(nodeid, location):
    _write({"event": "start", "nodeid": nodeid, "time": time.time(),
            "log_offset": _log_offset()})


# A wrapper: the phase's output ends before the terminal reporter writes its progress letter, and
# the next phase's output starts after it.
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_logreport(report):
    end = _log_offset()
    yield
    message, text = _texts(report)
    _write({
        "event": "result",
        "nodeid": report.nodeid,
        "when": report.when,
        "outcome": report.outcome,
        "duration": report.duration,
        "message": message,
        "longrepr": text,
        "wasxfail": getattr(report, "wasxfail", None),
        "log_offset": end,
        "log_resume": _log_offset(),
    })


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logfinish(nodeid, location):
    _write({"event": "finish", "nodeid": nodeid, "time": time.time()})


# Collection: what is being collected now (a module importing), so that a collection that hangs
# can be reported with the module it hangs in. Replaced at each collector, never appended to.
def pytest_collectstart(collector):
    path = os.environ.get("ORCHESTRATE_PYTEST_COLLECTING")
    if path and collector.nodeid:
        with open(path, "w", encoding="utf-8") as out:
            out.write(collector.nodeid + "\n")


# Collection: the ids after every selection (-m, -k in the suite's args, deselecting plugins), one
# per line, whatever the terminal output looks like (-v, -q, plugins that change it).
def pytest_collection_finish(session):
    path = os.environ.get("ORCHESTRATE_PYTEST_COLLECTED")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            for item in session.items:
                out.write(item.nodeid + "\n")
)PY";

}  // namespace

std::string_view PytestProgressPlugin::source()
{
  return k_plugin_source;
}

PytestPluginDirectory::PytestPluginDirectory(const std::filesystem::path& parent)
{
  std::error_code error;
  const auto temp = parent.empty() ? std::filesystem::temp_directory_path(error) : parent;
  if (error) {
    throw InternalError("cannot find the temp directory for the pytest plugin: " +
                        error.message());
  }
  std::string pattern = (temp / "orchestrate-pytest-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw InternalError("cannot create a directory for the pytest plugin from " + pattern + ": " +
                        std::strerror(errno));
  }
  m_path = pattern;
  try {
    write_progress_plugin(m_path);
  } catch (...) {
    remove();
    throw;
  }
}

std::filesystem::path write_progress_plugin(const std::filesystem::path& directory)
{
  const auto module = directory / (std::string(PytestProgressPlugin::k_module) + ".py");
  std::ofstream file(module, std::ios::binary);
  file << PytestProgressPlugin::source();
  file.close();
  if (!file) {
    throw InternalError("cannot write the pytest plugin " + module.string());
  }
  spdlog::debug("pytest progress plugin written to {}", module.string());
  return module;
}

PytestPluginDirectory::~PytestPluginDirectory()
{
  remove();
}

PytestPluginDirectory::PytestPluginDirectory(PytestPluginDirectory&& other) noexcept
  : m_path(std::move(other.m_path))
{
  other.m_path.clear();
}

PytestPluginDirectory& PytestPluginDirectory::operator=(PytestPluginDirectory&& other) noexcept
{
  if (this != &other) {
    remove();
    m_path = std::move(other.m_path);
    other.m_path.clear();
  }
  return *this;
}

void PytestPluginDirectory::remove() noexcept
{
  if (m_path.empty()) {
    return;
  }
  std::error_code error;
  std::filesystem::remove_all(m_path, error);
  if (error) {
    spdlog::warn("cannot remove the pytest plugin directory {}: {}", m_path.string(),
                 error.message());
  }
  m_path.clear();
}

std::string python_path_with(const std::filesystem::path& directory,
                             const std::map<std::string, std::string>& environment)
{
  const auto given = environment.find("PYTHONPATH");
  const char* inherited = std::getenv("PYTHONPATH");
  const std::string rest = given != environment.end() ? given->second
                           : inherited != nullptr     ? inherited
                                                      : "";
  return rest.empty() ? directory.string() : directory.string() + ":" + rest;
}

}  // namespace orchestrate
