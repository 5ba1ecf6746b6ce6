"""pytest plugin: the pytest-xdist baseline's compose stack, one per worker (the pytest-docker
pattern).

An autouse session fixture brings up `docker compose -p $BENCH_STACK_PREFIX-<worker> up -d --wait`
in each worker (worker id from PYTEST_XDIST_WORKER), exports the fixtures' variables into
os.environ, and tears the stack down with `down -v` at session end. The integration suite's
conftest reads DATABASE_URL and REDIS_URL from os.environ in session fixtures of its own; pytest
sets up autouse fixtures before the others of the same scope, so the variables are in place
before the suite first asks for them. The suite itself is not changed.

Configured by the benchmark through the environment: BENCH_STACK_PREFIX, BENCH_PROJECT_ROOT,
BENCH_SUITE, and BENCH_STACK_LOG (a JSON line per worker with its up and down times).
"""

import json
import os
import time

import pytest

from benchkit.compose_stack import ComposeStack, SuiteLayout


@pytest.fixture(scope="session", autouse=True)
def bench_compose_stack():
    prefix = os.environ.get("BENCH_STACK_PREFIX")
    if not prefix:
        yield None
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    layout = SuiteLayout.load(os.environ["BENCH_PROJECT_ROOT"], os.environ["BENCH_SUITE"])
    stack = ComposeStack(f"{prefix}-{worker}", layout.compose_files, layout.root)
    timings = {"worker": worker, "project": stack.project}
    began = time.monotonic()
    try:
        stack.up()
        os.environ.update(stack.fixture_environment(layout.fixtures))
        timings["up"] = time.monotonic() - began
        tests_began = time.monotonic()
        yield stack
        timings["tests"] = time.monotonic() - tests_began
    finally:
        down_began = time.monotonic()
        stack.down()
        timings["down"] = time.monotonic() - down_began
        log = os.environ.get("BENCH_STACK_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as stream:
                stream.write(json.dumps(timings) + "\n")
