"""pytest plugin: writes when the first test body of this process starts running.

Loaded into every variant (`-p bench_first_test`, or PYTEST_PLUGINS for the pytest processes that
orchestrate starts), so "time to first test" means the same everywhere: from the start of the
variant until the first test's call phase, after its fixtures (and so the stack) are set up. Each
pytest process appends one epoch timestamp to $BENCH_FIRST_TEST_FILE; the benchmark takes the
earliest.
"""

import os
import time

_written = False


def pytest_runtest_call(item):
    global _written
    path = os.environ.get("BENCH_FIRST_TEST_FILE")
    if _written or not path:
        return
    _written = True
    # One short append per process: O_APPEND keeps lines of parallel processes whole.
    with open(path, "a", encoding="ascii") as stream:
        stream.write(f"{time.time():.6f}\n")
