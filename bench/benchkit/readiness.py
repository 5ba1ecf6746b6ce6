"""The readiness section of bench/RESULTS.md: how long orchestrate takes from `compose up` until
its readiness gate passes, against `docker compose up -d --wait` on the same stack.

Both start the same compose files from nothing and end when every service's healthcheck passed:
compose's time is the wall time of `up -d --wait`; orchestrate's is the `ready` of its one shard in
--report-json, measured from the start of that shard's `up -d` until the gate returns, so both
include one compose CLI start-up.
"""

import statistics
from dataclasses import dataclass

from benchkit import markdown
from benchkit.resources import ResourceCount


@dataclass
class Round:
    """One round: a VariantRun of each side (either may carry an error instead of numbers)."""
    compose: object
    orchestrate: object

    def compose_ready(self):
        run = self.compose
        return run.wall if run.wall is not None and not run.error and run.exit_code == 0 else None

    def _shard(self):
        report = self.orchestrate.details.get("report")
        if not report or self.orchestrate.error or not report.get("shards"):
            return None
        shard = report["shards"][0]
        return None if shard.get("error") else shard

    def orchestrate_ready(self):
        shard = self._shard()
        return shard["ready"] if shard else None

    def orchestrate_up(self):
        shard = self._shard()
        return shard["stack_up"] if shard else None

    def errors(self):
        return "; ".join(run.error.splitlines()[0][:60] for run in (self.compose, self.orchestrate)
                         if run.error)


def _median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def _gate(up, ready):
    return ready - up if up is not None and ready is not None else None


def section(rounds, test_expression):
    """Markdown lines: medians and their ratio, then every round."""
    compose = _median(round_.compose_ready() for round_ in rounds)
    ready = _median(round_.orchestrate_ready() for round_ in rounds)
    up = _median(round_.orchestrate_up() for round_ in rounds)
    gate = _median(_gate(round_.orchestrate_up(), round_.orchestrate_ready()) for round_ in rounds)
    left = sum((run.left for round_ in rounds for run in (round_.compose, round_.orchestrate)),
               ResourceCount())
    lines = [f"## Readiness: time to ready of the test stack (postgres + redis), median of "
             f"{len(rounds)} round(s)", ""]
    lines += [markdown.table(
        ["`docker compose up -d --wait` s", "orchestrate ready s", "of which `up -d` s",
         "of which gate s", "up --wait / orchestrate", "left c/n/v (all rounds)"],
        [[markdown.seconds(compose), markdown.seconds(ready), markdown.seconds(up),
          markdown.seconds(gate), markdown.ratio(compose, ready), str(left)]]), ""]
    lines.append("Above 1x means orchestrate is ready sooner. compose: wall time of `up -d --wait` "
                 "on a fresh project (then `down -v -t 1`, not timed). orchestrate: `ready` of its "
                 "single shard in --report-json (`--parallel 1 -k " + test_expression + "`), from "
                 "the start of the shard's `up -d` until the readiness gate returned; `up -d` is "
                 "the report's stack-up time, the gate the rest. Both healthchecks run every 1 s "
                 "(compose/docker-compose.base.yml), which bounds both from below. The two sides "
                 "alternate going first.")
    rows = [[number, markdown.seconds(round_.compose_ready()),
             markdown.seconds(round_.orchestrate_ready()),
             markdown.seconds(round_.orchestrate_up()),
             markdown.seconds(_gate(round_.orchestrate_up(), round_.orchestrate_ready())),
             round_.errors()]
            for number, round_ in enumerate(rounds, start=1)]
    lines += ["", markdown.table(["round", "up --wait s", "orchestrate ready s", "`up -d` s",
                                  "gate s", "error"], rows)]
    lines.append("")
    return lines
