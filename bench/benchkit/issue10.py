"""The figures issue 10's "Done when" asks for, in one run (`scripts/bench --issue10`).

1. Per suite (integration and spread): orchestrate --parallel N against pytest-xdist -n N with a
   compose stack per worker, for N in a small set (2, 3, 4, 6), the two alternating, median of the
   rounds. Reported: the ratio orchestrate / xdist at N = 4 (target <= 0.8x) and best N against
   best N (target <= 0.8x), and orchestrate's shard finish spread (the slowest shard's last test
   end minus the fastest one's, from `tests_ended` in its JSON report; target <= 1 s on spread).
2. 10,000 trivial tests: orchestrate --parallel 2 against pytest -n 2 (target <= 1.0x) and plain
   pytest (target <= 1.3x).
3. orchestrate's own CPU (`orchestrator_cpu_ms` in its JSON report: getrusage of the orchestrate
   process alone) as a share of its wall time at --parallel 10 on the integration suite (target
   < 5%).

Every ratio is orchestrate / baseline: below 1x means orchestrate is faster.
"""

import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from benchkit import markdown
from benchkit.trivial_project import write_trivial_project

SUITES = ["integration", "spread"]
SAME_N = 4
TRIVIAL_PARALLEL = 2
CPU_PARALLEL = 10
# The targets of issue 10, as (label, limit): a ratio or value at or below the limit passes.
TARGET_SAME_N = 0.8
TARGET_BEST_N = 0.8
TARGET_TRIVIAL_XDIST = 1.0
TARGET_TRIVIAL_PLAIN = 1.3
TARGET_FINISH_SPREAD = 1.0  # seconds, on the spread suite
TARGET_CPU_PERCENT = 5.0
SECTION_BEGIN = "<!-- scripts/bench --issue10: begin -->"
SECTION_END = "<!-- scripts/bench --issue10: end -->"


@dataclass
class SuiteResult:
    suite: str
    n_values: list
    # (tool, n) -> [VariantRun], tool "xdist" or "orchestrate"
    runs: dict = field(default_factory=dict)


@dataclass
class TrivialResult:
    count: int
    runs: dict = field(default_factory=dict)  # "orchestrate" | "xdist" | "plain" -> [VariantRun]


@dataclass
class Issue10Result:
    rounds: int
    suites: list = field(default_factory=list)
    trivial: TrivialResult = None
    cpu_runs: list = field(default_factory=list)


# --- measuring -----------------------------------------------------------------------------------

def _rotated(values, by):
    by %= len(values)
    return values[by:] + values[:by]


def measure_suite(bench, suite, n_values, rounds):
    """Each round runs every N, in an order rotated per round, and at each N xdist and orchestrate
    back to back, which of them first alternating."""
    bench.use_suite(suite)
    result = SuiteResult(suite, list(n_values))
    for number in range(1, rounds + 1):
        for position, n in enumerate(_rotated(list(n_values), number - 1)):
            name = f"i10-{suite}-r{number}-n{n}"
            variants = [
                ("xdist", f"{suite} round {number}/{rounds}: xdist -n {n}",
                 lambda n=n, name=name: bench.run_xdist(number, n, name=f"{name}-xd")),
                ("orchestrate", f"{suite} round {number}/{rounds}: orchestrate --parallel {n}",
                 lambda n=n, name=name: bench.run_orchestrate(n, name)),
            ]
            if (number + position) % 2 == 0:
                variants.reverse()
            for tool, label, action in variants:
                result.runs.setdefault((tool, n), []).append(bench._guarded(label, action))
    return result


def measure_trivial(bench, count, rounds):
    project_dir = Path(tempfile.mkdtemp(prefix=f"bench-{bench.run_id}-i10-trivial-"))
    bench.cleanup.paths.append(project_dir)
    suite = write_trivial_project(project_dir, count, f"bench-{bench.run_id}-i10t")
    result = TrivialResult(count)
    p = TRIVIAL_PARALLEL
    variants = [
        ("orchestrate", f"orchestrate --parallel {p}",
         lambda number: bench.run_orchestrate(p, f"i10-trivial-r{number}-orchestrate", project_dir,
                                              suite, command_key="issue 10, trivial: orchestrate")),
        ("xdist", f"pytest -n {p}",
         lambda number: bench._plain_pytest(project_dir, f"i10-trivial-r{number}-xdist", "-n",
                                            str(p), "-q")),
        ("plain", "plain pytest",
         lambda number: bench._plain_pytest(project_dir, f"i10-trivial-r{number}-plain", "-q")),
    ]
    for number in range(1, rounds + 1):
        for key, label, action in _rotated(variants, number - 1):
            result.runs.setdefault(key, []).append(bench._guarded(
                f"trivial {count} round {number}/{rounds}: {label}",
                lambda action=action: action(number)))
    return result


def measure_cpu(bench, rounds):
    bench.use_suite("integration")
    return [bench._guarded(f"cpu round {number}/{rounds}: orchestrate --parallel {CPU_PARALLEL}",
                           lambda number=number: bench.run_orchestrate(
                               CPU_PARALLEL, f"i10-cpu-r{number}",
                               command_key="issue 10, CPU: orchestrate"))
            for number in range(1, rounds + 1)]


def measure(bench, n_values, rounds, trivial_count):
    result = Issue10Result(rounds)
    for suite in SUITES:
        result.suites.append(measure_suite(bench, suite, n_values, rounds))
    result.trivial = measure_trivial(bench, trivial_count, rounds)
    result.cpu_runs = measure_cpu(bench, rounds)
    return result


# --- figures -------------------------------------------------------------------------------------

def _good(runs):
    """Runs that count: no error, exit 0."""
    return [run for run in runs if not run.error and run.exit_code == 0 and run.wall is not None]


def median_wall(runs):
    good = _good(runs)
    return statistics.median(run.wall for run in good) if good else None


def ratio(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def finish_spread(run):
    """Slowest minus fastest shard end (the end of each shard's last test, `tests_ended` in the
    JSON report), or None when the report lacks it."""
    shards = (run.details.get("report") or {}).get("shards") or []
    ends = [shard["tests_ended"] for shard in shards if shard.get("tests_ended")]
    return max(ends) - min(ends) if ends else None


def cpu_percent(run):
    """orchestrate's own CPU over its wall time, from its JSON report; else from /proc."""
    report = run.details.get("report") or {}
    wall = report.get("wall_time") or run.wall
    cpu_ms = report.get("orchestrator_cpu_ms")
    cpu = cpu_ms / 1000 if cpu_ms is not None else run.own_cpu
    if cpu is None or not wall:
        return None
    return 100 * cpu / wall


def _median_of(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def best_n(suite_result, tool):
    """(n, median wall) of the N with the lowest median wall time for `tool`."""
    medians = [(n, median_wall(suite_result.runs.get((tool, n), [])))
               for n in suite_result.n_values]
    medians = [(n, wall) for n, wall in medians if wall is not None]
    return min(medians, key=lambda item: item[1]) if medians else (None, None)


def _verdict(value, limit):
    if value is None:
        return "—"
    return "yes" if value <= limit else "**no**"


def _x(value):
    return "—" if value is None else f"{value:.2f}x"


def _s(value):
    return markdown.seconds(value)


def _problems(runs):
    """Errors and non-zero exits of `runs`, shortened, for the tables."""
    notes = []
    for run in runs:
        if run.error:
            notes.append(run.error.splitlines()[0][:60])
        elif run.exit_code not in (0, None):
            notes.append(f"exit {run.exit_code}")
    return "; ".join(notes)


def headline_rows(result):
    """The Done-when rows: (what, measured, target, met)."""
    rows = []
    for suite in result.suites:
        xdist = median_wall(suite.runs.get(("xdist", SAME_N), []))
        orchestrate = median_wall(suite.runs.get(("orchestrate", SAME_N), []))
        same = ratio(orchestrate, xdist)
        rows.append([f"{suite.suite}: orchestrate / xdist at N = {SAME_N}",
                     f"{_x(same)} ({_s(orchestrate)} s / {_s(xdist)} s)",
                     f"<= {TARGET_SAME_N}x", _verdict(same, TARGET_SAME_N)])
        best_orchestrate = best_n(suite, "orchestrate")
        best_xdist = best_n(suite, "xdist")
        best = ratio(best_orchestrate[1], best_xdist[1])
        rows.append([f"{suite.suite}: best-N orchestrate / best-N xdist",
                     f"{_x(best)} (N={best_orchestrate[0]}: {_s(best_orchestrate[1])} s / "
                     f"N={best_xdist[0]}: {_s(best_xdist[1])} s)",
                     f"<= {TARGET_BEST_N}x", _verdict(best, TARGET_BEST_N)])
        spread = _median_of(finish_spread(run)
                            for run in _good(suite.runs.get(("orchestrate", SAME_N), [])))
        judged = suite.suite == "spread"  # the issue sets the target on the spread suite only
        rows.append([f"{suite.suite}: shard finish spread at N = {SAME_N} (median)",
                     f"{_s(spread)} s", f"<= {TARGET_FINISH_SPREAD:.0f} s" if judged else "(shown)",
                     _verdict(spread, TARGET_FINISH_SPREAD) if judged else "—"])
    trivial = result.trivial
    if trivial:
        orchestrate = median_wall(trivial.runs.get("orchestrate", []))
        xdist = median_wall(trivial.runs.get("xdist", []))
        plain = median_wall(trivial.runs.get("plain", []))
        to_xdist, to_plain = ratio(orchestrate, xdist), ratio(orchestrate, plain)
        rows.append([f"{trivial.count} trivial tests: orchestrate -n {TRIVIAL_PARALLEL} / "
                     f"pytest -n {TRIVIAL_PARALLEL}",
                     f"{_x(to_xdist)} ({_s(orchestrate)} s / {_s(xdist)} s)",
                     f"<= {TARGET_TRIVIAL_XDIST}x", _verdict(to_xdist, TARGET_TRIVIAL_XDIST)])
        rows.append([f"{trivial.count} trivial tests: orchestrate -n {TRIVIAL_PARALLEL} / "
                     "plain pytest",
                     f"{_x(to_plain)} ({_s(orchestrate)} s / {_s(plain)} s)",
                     f"<= {TARGET_TRIVIAL_PLAIN}x", _verdict(to_plain, TARGET_TRIVIAL_PLAIN)])
    if result.cpu_runs:
        percent = _median_of(cpu_percent(run) for run in _good(result.cpu_runs))
        rows.append([f"integration: orchestrate's own CPU at --parallel {CPU_PARALLEL} (median)",
                     "—" if percent is None else f"{percent:.1f}% of wall time",
                     f"< {TARGET_CPU_PERCENT:.0f}%",
                     "—" if percent is None else ("yes" if percent < TARGET_CPU_PERCENT
                                                 else "**no**")])
    return rows


def headline_table(result):
    return markdown.table(["Done when", "measured", "target", "met"], headline_rows(result))


def _suite_lines(suite):
    lines = [f"### {suite.suite} suite: wall time by N (median of the rounds)", ""]
    rows = []
    for n in suite.n_values:
        xdist_runs = suite.runs.get(("xdist", n), [])
        orchestrate_runs = suite.runs.get(("orchestrate", n), [])
        xdist, orchestrate = median_wall(xdist_runs), median_wall(orchestrate_runs)
        spreads = [finish_spread(run) for run in _good(orchestrate_runs)]
        rows.append([n, _s(xdist), _s(orchestrate), _x(ratio(orchestrate, xdist)),
                     _s(_median_of(spreads)),
                     ", ".join(_s(run.wall) for run in xdist_runs),
                     ", ".join(_s(run.wall) for run in orchestrate_runs),
                     _problems(xdist_runs + orchestrate_runs)])
    lines += [markdown.table(["N", "xdist s", "orchestrate s", "orchestrate / xdist",
                              "finish spread s", "xdist rounds s", "orchestrate rounds s",
                              "problems"], rows), ""]
    return lines


def _trivial_lines(trivial):
    lines = [f"### {trivial.count} trivial tests (no fixtures, so no stacks)", ""]
    rows = []
    for key, label in [("orchestrate", f"orchestrate --parallel {TRIVIAL_PARALLEL}"),
                       ("xdist", f"pytest -n {TRIVIAL_PARALLEL}"), ("plain", "plain pytest")]:
        runs = trivial.runs.get(key, [])
        rows.append([label, _s(median_wall(runs)), _s(_median_of(run.tree_cpu for run in runs)),
                     ", ".join(_s(run.wall) for run in runs), _problems(runs)])
    lines += [markdown.table(["variant", "wall s", "process tree CPU s", "rounds s", "problems"],
                             rows), ""]
    return lines


def _cpu_lines(runs):
    lines = [f"### orchestrate's own CPU at --parallel {CPU_PARALLEL} (integration suite)", ""]
    rows = []
    for number, run in enumerate(runs, start=1):
        report = run.details.get("report") or {}
        cpu_ms = report.get("orchestrator_cpu_ms")
        percent = cpu_percent(run)
        rows.append([number, _s(report.get("wall_time")),
                     "—" if cpu_ms is None else f"{cpu_ms / 1000:.2f}",
                     _s(run.own_cpu), "—" if percent is None else f"{percent:.1f}%",
                     len(report.get("shards") or []), _problems([run])])
    lines += [markdown.table(["round", "report wall s", "orchestrator_cpu_ms as s",
                              "/proc own CPU s", "CPU / wall", "shards", "problems"], rows), ""]
    lines.append("`orchestrator_cpu_ms` is getrusage(RUSAGE_SELF) of the orchestrate process at "
                 "the end of the run (user + sys, all its threads, not its children); the /proc "
                 "column is the benchmark's own sampling of the same process every 0.1 s, as a "
                 "cross-check. A report without the field falls back to the /proc figure.")
    lines.append("")
    return lines


def section(result, command, header, quick):
    """The RESULTS.md section, between SECTION_BEGIN and SECTION_END. `header` holds lines about
    the machine and the time of the run."""
    lines = [SECTION_BEGIN, "## Issue 10: orchestrate against xdist (Done when)", ""]
    if quick:
        lines += ["> **--quick: one round, for checking the benchmark itself; not for judging "
                  "the targets.**", ""]
    lines += [f"- Command: `{command}`",
              f"- Rounds: {result.rounds} (medians over them; every N of a suite in a rotated "
              "order per round, xdist and orchestrate back to back at each N, which goes first "
              "alternating)"]
    lines += header + [""]
    lines += [headline_table(result), ""]
    lines.append("Ratios are orchestrate / baseline: below 1x orchestrate is faster. Best N: the "
                 "N of the set with the lowest median wall time, for each tool separately. Finish "
                 "spread: the last shard's end of tests minus the first's (`tests_ended` per "
                 "shard in orchestrate's JSON report). xdist brings up one compose stack per "
                 "worker in a session fixture (bench/plugins/bench_xdist_stack.py). A run that "
                 "failed or exited non-zero is left out of the medians and named under problems.")
    lines.append("")
    for suite in result.suites:
        lines += _suite_lines(suite)
    if result.trivial:
        lines += _trivial_lines(result.trivial)
    if result.cpu_runs:
        lines += _cpu_lines(result.cpu_runs)
    lines.append(SECTION_END)
    return lines


def write_section(output, lines):
    """Replaces the section between the markers in `output`, or appends it; the rest of the file
    (hand-written sections) is kept."""
    output = Path(output)
    text = output.read_text() if output.exists() else "# Benchmark results\n"
    new = "\n".join(lines) + "\n"
    begin, end = text.find(SECTION_BEGIN), text.find(SECTION_END)
    if begin != -1 and end > begin:
        text = text[:begin] + new + text[end + len(SECTION_END):].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + new
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
