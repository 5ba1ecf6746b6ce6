"""A throwaway orchestrate project holding a generated suite of trivial tests.

It measures what orchestrate itself costs per test (collection, batching, reports) with tests that
cost nothing: `def test_<n>(): assert <n> == <n>`, in files of 100 tests. The suite has no
fixtures, so no stack is started; the compose file is only there because orchestrate.yaml must
name one for the `test` environment.
"""

from pathlib import Path

SUITE_NAME = "trivial"
TESTS_PER_FILE = 100

_COMPOSE = """\
services:
  idle:
    image: orchestrate/busybox:latest
    command: ["sleep", "1"]
    deploy:
      resources:
        limits: {memory: 16M}
"""


def write_trivial_project(root, test_count, project_prefix):
    """Writes orchestrate.yaml, suites/trivial.yaml and tests/ under `root`; returns the suite
    name. `project_prefix` must be unique (it scopes the run's labels and lock)."""
    root = Path(root)
    (root / "suites").mkdir(parents=True, exist_ok=True)
    (root / "tests").mkdir(exist_ok=True)
    (root / "compose.yml").write_text(_COMPOSE)
    (root / "orchestrate.yaml").write_text(
        f"project: {project_prefix}\n"
        "environments:\n"
        "  test: {compose_files: [compose.yml]}\n"
        "python: /usr/bin/python3\n")
    (root / "suites" / f"{SUITE_NAME}.yaml").write_text(
        "runner: pytest\n"
        "paths: [tests]\n"
        "args: [\"-p\", \"no:cacheprovider\"]\n"
        "fixtures: []\n")
    for first in range(0, test_count, TESTS_PER_FILE):
        last = min(first + TESTS_PER_FILE, test_count)
        body = "".join(f"def test_{n}():\n    assert {n} == {n}\n\n\n" for n in range(first, last))
        (root / "tests" / f"test_trivial_{first // TESTS_PER_FILE:04d}.py").write_text(body)
    return SUITE_NAME
