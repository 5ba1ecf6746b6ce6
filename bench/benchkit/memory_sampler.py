"""Peak memory of a variant's test environment: the sum over its running containers.

Every variant (both baselines and orchestrate) is measured by this same sampler, so the numbers
are comparable. The value per container is what `docker stats` shows as MEM USAGE: the cgroup's
usage minus its inactive file cache. `docker stats --no-stream` itself needs about 2.5 s per call
on this machine (it waits for a second stats cycle), and so does the Engine API's one-shot stats
after its first call; a 0.5 s interval is only possible by reading the containers' cgroup files,
which hold the very numbers the engine reports. The API is the fallback where no cgroup file is
found (another cgroup layout, or a rootless engine).
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from benchkit.engine import EngineError

_CGROUP_DIRECTORIES = [
    # cgroup v1, cgroupfs driver (Debian's docker.io default) and systemd driver
    ("/sys/fs/cgroup/memory/docker/{id}", "memory.usage_in_bytes", "total_inactive_file"),
    ("/sys/fs/cgroup/memory/system.slice/docker-{id}.scope", "memory.usage_in_bytes",
     "total_inactive_file"),
    # cgroup v2
    ("/sys/fs/cgroup/system.slice/docker-{id}.scope", "memory.current", "inactive_file"),
    ("/sys/fs/cgroup/docker/{id}", "memory.current", "inactive_file"),
]


def _stat_value(stat_file, key):
    for line in stat_file.read_text().splitlines():
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    return 0


def cgroup_memory_usage(container_id):
    """MEM USAGE as `docker stats` computes it, from the cgroup files; None if none is found."""
    for directory, usage_name, inactive_key in _CGROUP_DIRECTORIES:
        folder = Path(directory.format(id=container_id))
        try:
            usage = int((folder / usage_name).read_text())
            inactive = _stat_value(folder / "memory.stat", inactive_key)
        except (OSError, ValueError):
            continue
        return usage - inactive if inactive < usage else usage
    return None


def api_memory_usage(engine, container_id):
    """The same value from the Engine API's stats; None if the container is gone."""
    try:
        memory = engine.memory_stats(container_id).get("memory_stats") or {}
    except EngineError:
        return None
    usage = memory.get("usage")
    if usage is None:
        return None
    stats = memory.get("stats") or {}
    inactive = stats.get("total_inactive_file", stats.get("inactive_file", 0))
    return usage - inactive if inactive < usage else usage


@dataclass
class MemorySummary:
    peak_bytes: int
    samples: int
    mean_interval: float
    method: str


class MemorySampler:
    """Samples, every `interval` seconds until stop(), the containers that carry all the labels of
    any of `scopes` (see benchkit.resources) and keeps the peak of their summed memory."""

    def __init__(self, engine, scopes, interval=0.5):
        self._engine = engine
        self._scopes = [list(scope) for scope in scopes]
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="memory-sampler", daemon=True)
        self._pool = ThreadPoolExecutor(max_workers=8)
        self._peak = 0
        self._samples = 0
        self._methods = set()
        self._started = 0.0
        self._finished = 0.0

    def start(self):
        self._started = time.monotonic()
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join()
        self._pool.shutdown(wait=True)
        self._finished = time.monotonic()
        interval = (self._finished - self._started) / self._samples if self._samples else 0.0
        return MemorySummary(self._peak, self._samples, interval,
                             "+".join(sorted(self._methods)) or "none")

    def _container_ids(self):
        ids = set()
        for scope in list(self._scopes):
            try:
                ids.update(item["Id"] for item in self._engine.containers(scope, False))
            except EngineError:
                pass
        return sorted(ids)

    def _usage(self, container_id):
        usage = cgroup_memory_usage(container_id)
        if usage is not None:
            self._methods.add("cgroup")
            return usage
        usage = api_memory_usage(self._engine, container_id)
        if usage is None:
            return 0  # gone between listing and reading
        self._methods.add("api")
        return usage

    def _loop(self):
        while not self._stop.is_set():
            begun = time.monotonic()
            ids = self._container_ids()
            total = sum(self._pool.map(self._usage, ids)) if ids else 0
            self._peak = max(self._peak, total)
            self._samples += 1
            self._stop.wait(max(0.0, self._interval - (time.monotonic() - begun)))
